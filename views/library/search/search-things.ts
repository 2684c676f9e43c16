import { z } from 'zod';
import { type SqlFragment, sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { fieldSql } from '../../field-path.ts';
import { limitParam, timestampParam } from '../../view-params.ts';
import {
  predicateSql,
  propertyPathParam,
  propertyPredicateParam,
  type PropertyPredicate,
} from './property-predicates.ts';
import { cursorParam, encodeSearchCursor, type SearchCursor } from './search-cursor.ts';
import { textParam, urlParam } from './text-param.ts';

/** How well a thing matched the text: lower is better; 0 when no text was given. */
export const SEARCH_RANKS = { none: 0, exact: 1, prefix: 2, substring: 3, property: 4 } as const;

const params = z.object({
  text: textParam(200)
    .optional()
    .describe('matched case-insensitively: exact name, then name prefix, then name substring, then `fields`'),
  fields: z
    .array(propertyPathParam())
    .max(8)
    .default([])
    .describe('string properties of data searched for the text (rank 4), e.g. data.description'),
  type: urlParam().optional().describe('only things of this type'),
  where: z.array(propertyPredicateParam()).max(16).default([]).describe('property predicates, all must hold'),
  branch: textParam(200).default('main').describe('the branch (main unless asked)'),
  since: timestampParam().optional().describe('only things whose current version was written at or after'),
  cursor: cursorParam().optional().describe("the last row's cursor of the previous page"),
  limit: limitParam(50, 1000).describe('the page size'),
});

type SearchParams = z.output<typeof params>;

/** One row of {@link searchThings}: a thing's current version, its rank and its cursor. */
export const searchThingsRow = z.object({
  thing: z.string(),
  id: z.string().describe('the current version, e.g. https://startups.studio/acme@v12'),
  ns: z.string(),
  type: z.string(),
  branch: z.string().nullable(),
  name: z.string().nullable(),
  version: z.number(),
  ts: z.unknown().describe('when the current version was written'),
  data: z.unknown(),
  rank: z.number().int().min(0).max(4),
  cursor: z.string().describe('pass it back as `cursor` for the page after this row'),
});

function rankSql(p: SearchParams): SqlFragment {
  if (p.text === undefined) return sql`${SEARCH_RANKS.none}`;
  const text = sql`lower(${p.text})`;
  const hits = p.fields.map((f) => sql`strpos(lower(${fieldSql(f, 'string')}), ${text}) > 0`);
  return sql`CASE WHEN lower(name) = ${text} THEN ${SEARCH_RANKS.exact}
    WHEN starts_with(lower(name), ${text}) THEN ${SEARCH_RANKS.prefix}
    WHEN strpos(lower(name), ${text}) > 0 THEN ${SEARCH_RANKS.substring}${
      hits.length > 0
        ? sql`
    WHEN ${sql.join(hits, ' OR ')} THEN ${SEARCH_RANKS.property}`
        : sql``
    } END`;
}

function afterSql(c: SearchCursor): SqlFragment {
  return sql`(rank > ${c.rank} OR (rank = ${c.rank} AND (sort_name > ${c.name} OR (sort_name = ${c.name} AND id > ${c.id}))))`;
}

function currentFilters(p: SearchParams): SqlFragment[] {
  return [
    p.branch === 'main' ? sql`(branch IS NULL OR branch = 'main')` : sql`branch = ${p.branch}`,
    ...(p.type ? [sql`type = ${p.type}`] : []),
    ...(p.since ? [sql`ts >= ${p.since}`] : []),
  ];
}

/**
 * Search over things: the current version of each thing (the newest on the branch, by `ts`, then
 * version, then id; deleted things left out), by type, text and property predicates, ranked
 * case-insensitively: exact name (1), name prefix (2), name substring (3), a hit in one of `fields`
 * (4); 0 for every row without `text`. Text is matched with `strpos`/`starts_with`, so `%`, `_` and
 * quotes are plain characters. Rows come in (rank, name, id) order, names byte-wise with a missing
 * name as ''; each row carries an opaque `cursor`: pass the last one back for the next page (keyset
 * paging; R2 SQL has no OFFSET). A page shorter than `limit` is the last.
 *
 * @example
 * ```ts
 * import { searchThings } from './search-things.ts';
 * searchThings.render({ text: '50%_off', type: 'https://startups.studio/Startup' }).sql.includes("lower('50%_off')"); // true
 * searchThings.parseParams({ text: 'acme' }).limit; // 50
 * ```
 */
export const searchThings = defineView({
  name: 'search_things',
  description: 'Things ranked by name/text match (exact, prefix, substring, property) with keyset paging',
  params,
  row: searchThingsRow,
  time: { column: 'ts', since: 'since' },
  samples: [
    {},
    {
      text: "o'brien 100%",
      fields: ['data.description', 'data.address.city'],
      type: 'https://startups.studio/Startup',
      where: [
        { field: 'data.stage', value: 'seed' },
        { field: 'data.employees', op: 'gte', value: 10 },
        { field: 'data.public', op: 'ne', value: true },
      ],
      branch: 'experiment',
      since: '2026-11-01',
      cursor: encodeSearchCursor({ rank: 2, name: 'Acme', id: 'https://startups.studio/acme@v3' }),
    },
  ],
  sql: ({ params, table }) => {
    const kept = [sql`NOT deleted`, ...params.where.map((p: PropertyPredicate) => predicateSql(p))];
    const ranked = [sql`rank IS NOT NULL`, ...(params.cursor ? [afterSql(params.cursor)] : [])];
    // The newest version per thing first, then deleted ones dropped (a tombstone hides older versions).
    // Duplicated deliveries are identical rows, so the one row_number picks stands for all of them.
    return sql`SELECT thing, id, ns, type, branch, name, version, ts, data, rank
FROM (SELECT thing, id, ns, type, branch, name, version, ts, data, coalesce(name, '') AS sort_name, ${rankSql(params)} AS rank
  FROM (SELECT thing, id, ns, type, branch, name, version, ts, data, deleted FROM ${table('things')}
    WHERE ${sql.join(currentFilters(params), ' AND ')}
    QUALIFY row_number() OVER (PARTITION BY thing ORDER BY ts DESC, version DESC, id DESC) = 1) AS current
  WHERE ${sql.join(kept, ' AND ')}) AS ranked
WHERE ${sql.join(ranked, ' AND ')}
ORDER BY rank, sort_name, id
LIMIT ${params.limit}`;
  },
  finish: (rows) =>
    rows.map((row) => {
      const rank = Number(row.rank);
      const name = row.name === null || row.name === undefined ? null : String(row.name);
      const id = String(row.id);
      return {
        thing: String(row.thing),
        id,
        ns: String(row.ns),
        type: String(row.type),
        branch: row.branch === null || row.branch === undefined ? null : String(row.branch),
        name,
        version: Number(row.version),
        ts: row.ts,
        data: row.data,
        rank,
        cursor: encodeSearchCursor({ rank, name: name ?? '', id }),
      };
    }),
});
