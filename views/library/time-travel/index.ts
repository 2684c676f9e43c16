/**
 * The time-travel views: a thing at a ref (`@v12`, `@~1`, `@2024-01-08`, `@experiment`), the world as
 * of a time, and the diff of a thing between two versions — answered from the lake as the Durable
 * Object answers them.
 *
 * @module
 */
import type { View } from '../../define-view.ts';
import { thingAtRef } from './thing-at-ref.ts';
import { thingDiff } from './thing-diff.ts';
import { worldAsOf } from './world-as-of.ts';

export { refParam, refTimeParam } from './ref-params.ts';
export { thingAtRef, thingVersionShape } from './thing-at-ref.ts';
export { type DataChange, dataChangeShape, thingDiff } from './thing-diff.ts';
export { worldAsOf } from './world-as-of.ts';

/**
 * Every time-travel view, for a registry.
 *
 * @example
 * ```ts
 * import { timeTravelViews } from './index.ts';
 * timeTravelViews.map((v) => v.name); // ['thing_at_ref', 'world_as_of', 'thing_diff']
 * ```
 */
export const timeTravelViews: readonly View<any, any>[] = [thingAtRef, worldAsOf, thingDiff];
