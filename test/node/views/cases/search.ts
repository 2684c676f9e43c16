/**
 * Conformance cases of `search_things`: ranking by text, wildcards and quotes in the text, property
 * predicates, and keyset paging where every page is the matching slice of the oracle's full list.
 *
 * @module
 */
import { searchThings } from '../../../../views/library/search/index.ts';
import { searchAllOracle, searchOracle } from '../oracles/search.ts';
import type { ViewCase, Workload } from '../view-case.ts';

// The conformance harness hands over params already parsed (a cursor decoded); other runners raw ones.
const parsedOf = (p: unknown) => {
  try {
    return searchThings.parseParams(p);
  } catch {
    return p as ReturnType<typeof searchThings.parseParams>;
  }
};
const expected = (w: Workload, p: unknown) => searchOracle(w.things, parsedOf(p));

/** The current things on main, as the oracle lists them. */
const current = (w: Workload) => searchAllOracle(w.things, searchThings.parseParams({}));

/** The first three letters of the first current named thing of a type: a prefix that matches. */
function someText(w: Workload): { text: string; type?: string } {
  const named = current(w).find((t) => t.name);
  return { text: (named?.name ?? 'a').slice(0, 3), ...(named ? { type: named.type } : {}) };
}

/** Page `n` (1-based) of `params`: the cursor of the last row of page n − 1 in the oracle's list. */
function page(n: number, params: Record<string, unknown> & { limit: number }) {
  return (w: Workload) => {
    const all = searchAllOracle(w.things, searchThings.parseParams(params));
    const cursor = n > 1 ? all[(n - 1) * params.limit - 1]?.cursor : undefined;
    // Past the end, the cursor of the last row: the page after it is empty.
    const last = n > 1 && !cursor ? all.at(-1)?.cursor : undefined;
    return { ...params, ...(cursor || last ? { cursor: cursor ?? last } : {}) };
  };
}

const PAGED = (w: Workload) => ({ type: w.types[0], limit: 7 });

export const cases: ViewCase[] = [
  {
    name: 'search_things: every current thing on main, first page',
    view: searchThings,
    params: {},
    expected,
  },
  {
    name: 'search_things: text ranked (exact, prefix, substring), one type',
    view: searchThings,
    params: (w: Workload) => {
      const { text, type } = someText(w);
      return { text: text.toUpperCase(), ...(type ? { type } : {}), limit: 200 };
    },
    expected,
  },
  {
    name: 'search_things: text with property hits on data.name',
    view: searchThings,
    params: (w: Workload) => ({
      text: someText(w).text,
      fields: ['data.name', 'data.description'],
      limit: 200,
    }),
    expected,
  },
  {
    name: 'search_things: `%`, `_` and quotes are plain characters',
    view: searchThings,
    params: { text: "50%_o'k", fields: ['data.description'] },
    expected,
  },
  {
    name: 'search_things: a single `_` matches only names holding one',
    view: searchThings,
    params: { text: '_', limit: 200 },
    expected,
  },
  {
    name: 'search_things: a single `%` matches only names holding one',
    view: searchThings,
    params: { text: '%', limit: 200 },
    expected,
  },
  {
    name: 'search_things: a property predicate (a string property of a current thing)',
    view: searchThings,
    params: (w: Workload) => {
      const thing = current(w).find((t) => t.data && typeof t.data === 'object' && !Array.isArray(t.data));
      const data = (thing?.data ?? {}) as Record<string, unknown>;
      const key = Object.keys(data).find(
        (k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && typeof data[k] === 'string',
      );
      return key ? { where: [{ field: `data.${key}`, value: data[key] }], limit: 200 } : { limit: 200 };
    },
    expected,
  },
  ...[1, 2, 3].map(
    (n): ViewCase => ({
      name: `search_things: keyset page ${n} of one type, 7 a page`,
      view: searchThings,
      params: (w: Workload) => page(n, PAGED(w) as { type: string; limit: number })(w),
      expected,
    }),
  ),
  {
    name: 'search_things: the page after the last row is empty',
    view: searchThings,
    params: (w: Workload) => page(Number.MAX_SAFE_INTEGER, PAGED(w) as { type: string; limit: number })(w),
    expected,
  },
];
