/**
 * The deployable example Worker: the Startup Durable Object and its HTTP routes.
 *
 * @module
 */
import type { Env } from './startup.ts';
import { handle } from './routes.ts';

export { type Env, Startup } from './startup.ts';

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return handle(request, env);
  },
} satisfies ExportedHandler<Env>;
