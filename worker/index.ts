/**
 * The deployable example Worker: the Startup and Customer Durable Objects and their HTTP routes.
 *
 * @module
 */
import type { Env } from './startup.ts';
import { handle } from './routes.ts';

export { Customer } from './customer.ts';
export { orderActivity, Rollups } from './rollups.ts';
export { type Env, Startup } from './startup.ts';

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return handle(request, env);
  },
} satisfies ExportedHandler<Env>;
