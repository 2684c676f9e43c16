/**
 * The search views: things ranked by name and text match, filtered by type and properties, paged
 * with keyset cursors.
 *
 * @module
 */
import type { View } from '../../define-view.ts';
import { searchThings } from './search-things.ts';

export { propertyPathParam, propertyPredicateParam } from './property-predicates.ts';
export { cursorParam, decodeSearchCursor, encodeSearchCursor, type SearchCursor } from './search-cursor.ts';
export { SEARCH_RANKS, searchThings, searchThingsRow } from './search-things.ts';
export { isSqlText, textParam } from './text-param.ts';

/**
 * Every search view, for a registry.
 *
 * @example
 * ```ts
 * import { searchViews } from './index.ts';
 * searchViews.map((v) => v.name); // ['search_things']
 * ```
 */
export const searchViews: readonly View<any, any>[] = [searchThings];
