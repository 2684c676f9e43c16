/**
 * The deployable example Worker: the Startup and Customer Durable Objects and their HTTP routes.
 *
 * @module
 */
import type { Env } from './startup.ts';
import { runScheduledVerify } from './audit-routes.ts';
import { handle } from './routes.ts';

export { Customer } from './customer.ts';
export { type Env, Startup } from './startup.ts';

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return handle(request, env);
  },
  /** The cron: verify the last day of the lake and record the result for `GET /audit/health`. */
  scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): void {
    ctx.waitUntil(runScheduledVerify(env));
  },
} satisfies ExportedHandler<Env>;
