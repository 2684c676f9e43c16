/**
 * The deployable example Worker: the Startup and Customer Durable Objects, their HTTP routes and the
 * query API under `/api`, routed by Hono (see app.ts).
 *
 * @module
 */
import { createWorkerApp } from './app.ts';
import type { Env } from './startup.ts';
import { runScheduledVerify } from './audit-routes.ts';

export { Customer } from './customer.ts';
export { orderActivity, Rollups } from './rollups.ts';
export { type Env, Startup } from './startup.ts';

const app = createWorkerApp();

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    return Promise.resolve(app.fetch(request, env, ctx));
  },
  /** The cron: verify the last day of the lake and record the result for `GET /audit/health`. */
  scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext): void {
    ctx.waitUntil(runScheduledVerify(env));
  },
} satisfies ExportedHandler<Env>;
