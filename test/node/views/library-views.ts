/**
 * Every view a module exports: the views themselves and arrays of views (a family's `<family>Views`),
 * once each by key. The conformance harness and the views benchmark take the library from the barrel
 * this way, so a family wired into `views/index.ts` is picked up without naming it here.
 *
 * @module
 */
import type { View } from '../../../views/index.ts';

/**
 * Whether a value is a declared view (what defineView and defineRollup return).
 *
 * @example
 * ```ts
 * import { isView } from './library-views.ts';
 * import { eventsPerHour } from '../../../views/index.ts';
 * isView(eventsPerHour); // true
 * ```
 */
export function isView(value: unknown): value is View {
  const v = value as Partial<View> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.key === 'string' &&
    typeof v.name === 'string' &&
    typeof v.render === 'function' &&
    typeof v.parseParams === 'function'
  );
}

/**
 * The views among a module's exports, by key.
 *
 * @example
 * ```ts
 * import * as library from '../../../views/index.ts';
 * import { collectViews } from './library-views.ts';
 * collectViews(library).map((v) => v.key).includes('events_per_hour@1'); // true
 * ```
 */
export function collectViews(exports: Record<string, unknown>): View[] {
  const byKey = new Map<string, View>();
  for (const value of Object.values(exports)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isView(item) && !byKey.has(item.key)) byKey.set(item.key, item);
    }
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}
