/**
 * The cross-DO views: every thing's current state, things by JSON property predicates, actions of a
 * verb on a type in a time range, and relationships as edges — across all Durable Objects.
 *
 * @module
 */
import type { View } from '../../define-view.ts';
import { actionsOf } from './actions-of.ts';
import { relationships } from './relationships.ts';
import { thingsCurrent } from './things-current.ts';
import { thingsWhere } from './things-where.ts';

export { actionsOf } from './actions-of.ts';
export { branchParam, branchSql, microsParam, urlParam } from './lake-params.ts';
export {
  MAX_PREDICATES,
  PREDICATE_OPS,
  type PropertyPredicate,
  predicateParam,
  predicateSql,
  predicatesParam,
} from './property-predicates.ts';
export { relationships } from './relationships.ts';
export { thingRowShape, thingsCurrent } from './things-current.ts';
export { thingsWhere } from './things-where.ts';

/**
 * Every cross-DO view, for a registry.
 *
 * @example
 * ```ts
 * import { crossDoViews } from './index.ts';
 * crossDoViews.map((v) => v.name); // ['things_current', 'things_where', 'actions_of', 'relationships']
 * ```
 */
export const crossDoViews: readonly View<any, any>[] = [thingsCurrent, thingsWhere, actionsOf, relationships];
