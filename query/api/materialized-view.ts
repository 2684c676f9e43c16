import type { MaterializedRead } from './query-handler-config.ts';

type Range = [number, number];

const iso = (us: number): string =>
  us <= Number.MIN_SAFE_INTEGER
    ? '-inf'
    : us >= Number.MAX_SAFE_INTEGER
      ? '+inf'
      : new Date(us / 1000).toISOString();

/** Adjacent or overlapping ranges joined, in time order. */
function merged(ranges: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

const MAX_LISTED = 20;

function listed(ranges: readonly Range[]): string {
  const joined = merged(ranges);
  const shown = joined.slice(0, MAX_LISTED).map(([a, b]) => `${iso(a)}/${iso(b)}`);
  return joined.length > MAX_LISTED ? `${shown.join(', ')}, …` : shown.join(', ') || 'none';
}

/**
 * The headers that say where a materialized read's rows came from: `x-materialized-buckets` (the
 * bucket ranges answered by the materialization, `from/to` ISO pairs), `x-raw-ranges` (what was
 * computed from raw events), `x-raw-tail-from` (where the raw tail starts: every bucket from there
 * on is current) and `x-materialized-watermark` (the newest event time the materialization has seen).
 *
 * @example
 * ```ts
 * import { materializedHeaders } from './materialized-view.ts';
 * materializedHeaders({ rows: [], sources: { materialized: [[0, 3_600_000_000]], raw: [[3_600_000_000, 7_200_000_000]] }, watermark: 3_600_000_000 })['x-raw-tail-from']; // '1970-01-01T01:00:00.000Z'
 * ```
 */
export function materializedHeaders(read: MaterializedRead): Record<string, string> {
  const raw = merged(read.sources.raw);
  const tail = raw.at(-1);
  const end = Math.max(...read.sources.materialized.map((r) => r[1]), Number.MIN_SAFE_INTEGER);
  return {
    'x-materialized-buckets': listed(read.sources.materialized),
    'x-raw-ranges': listed(raw),
    'x-raw-tail-from': tail && tail[1] > end ? iso(tail[0]) : 'none',
    ...(read.watermark === null ? {} : { 'x-materialized-watermark': iso(read.watermark) }),
  };
}
