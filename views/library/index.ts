/**
 * The built-in view library, by family, and every view of it in one list.
 *
 * @module
 */
import type { View } from '../define-view.ts';
import { createViewRegistry, type ViewRegistry } from '../view-registry.ts';
import { auditViews } from './audit/index.ts';
import { crossDoViews } from './cross-do/index.ts';
import { eventsPerHour } from './events-per-hour.ts';
import { searchViews } from './search/index.ts';
import { timeSeriesViews } from './time-series/index.ts';
import { timeTravelViews } from './time-travel/index.ts';

export * from './audit/index.ts';
export * from './cross-do/index.ts';
export { eventsPerHour } from './events-per-hour.ts';
export * from './search/index.ts';
export * from './time-series/index.ts';
export * from './time-travel/index.ts';

/**
 * Every built-in view.
 *
 * @example
 * ```ts
 * import { libraryViews } from './index.ts';
 * libraryViews.some((v) => v.name === 'things_current'); // true
 * ```
 */
export const libraryViews: readonly View<any, any>[] = [
  eventsPerHour,
  ...crossDoViews,
  ...timeTravelViews,
  ...timeSeriesViews,
  ...searchViews,
  ...auditViews,
];

/**
 * A registry of the built-in views, plus any of your own.
 *
 * @example
 * ```ts
 * import { createLibraryRegistry } from './index.ts';
 * createLibraryRegistry().require('things_current').key; // 'things_current@1'
 * ```
 */
export function createLibraryRegistry(extra: readonly View<any, any>[] = []): ViewRegistry {
  return createViewRegistry([...libraryViews, ...extra]);
}
