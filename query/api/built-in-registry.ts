import * as library from '../../views/index.ts';
import { createViewRegistry, type View, type ViewRegistry } from '../../views/index.ts';

const isView = (value: unknown): value is View =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as View).render === 'function' &&
  typeof (value as View).key === 'string';

/**
 * Every view `views/index.ts` exports — single views and family arrays (`crossDoViews`) — once each.
 *
 * @example
 * ```ts
 * import { builtInViews } from './built-in-registry.ts';
 * builtInViews().some((view) => view.name === 'events_per_hour'); // true
 * ```
 */
export function builtInViews(): View[] {
  const byKey = new Map<string, View>();
  for (const value of Object.values(library)) {
    for (const item of Array.isArray(value) ? value : [value]) if (isView(item)) byKey.set(item.key, item);
  }
  return [...byKey.values()];
}

/**
 * The registry of the built-in view library, as the example Worker, the local stack and the CLI serve it.
 *
 * @example
 * ```ts
 * import { builtInRegistry } from './built-in-registry.ts';
 * builtInRegistry().require('events_per_hour').key; // 'events_per_hour@1'
 * ```
 */
export function builtInRegistry(): ViewRegistry {
  return createViewRegistry(builtInViews());
}
