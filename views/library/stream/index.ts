/**
 * Stream views of the library: stateless views the platform materializes at ingest. Kept out of the
 * built-in registry's views (each reads a table that exists only once its pipeline is created); the
 * local stack, `npm start` and `views plan` take them from here.
 *
 * @module
 */
import type { StreamView } from '../../define-stream-view.ts';
import { failedActions } from './failed-actions.ts';
import { publishedThings } from './published-things.ts';

export { failedActions } from './failed-actions.ts';
export { publishedThings } from './published-things.ts';

/**
 * Every stream view of the library.
 *
 * @example
 * ```ts
 * import { streamViews } from './index.ts';
 * streamViews.map((v) => v.key); // ['failed_actions@1', 'published_things@1']
 * ```
 */
export const streamViews: readonly StreamView[] = [failedActions, publishedThings];
