import { sql } from '../../sql/index.ts';
import type { NamespacePattern } from './namespace-scope.ts';
import { tenantTables } from './namespace-scope.ts';
import type { QueryApiEngine } from './query-handler-config.ts';

/** The newest event time per namespace, as ISO text. */
export type NewestEvents = Record<string, string>;

const MAX_NAMESPACES = 50;

/**
 * The newest event time landed per namespace of a scope, kept per scope for `ttlMs`: one
 * `SELECT ns, max(ts) … GROUP BY ns` over the scope's own derived table (so it is tenant-filtered like
 * any view, and reads two columns), shared by every request of that scope meanwhile. A failure
 * answers undefined (the header is left out), never fails the request.
 *
 * @example
 * ```ts
 * import { createFreshness } from './freshness.ts';
 * const freshness = createFreshness(engine, 'analytics', 60_000);
 * await freshness(scope.namespaces); // { 'https://a.test': '2026-11-25T09:00:00.000000Z' }
 * ```
 */
export function createFreshness(
  engine: QueryApiEngine,
  namespace: string,
  ttlMs: number,
  now: () => number = Date.now,
): (patterns: readonly NamespacePattern[]) => Promise<NewestEvents | undefined> {
  const memo = new Map<string, { at: number; value: Promise<NewestEvents | undefined> }>();
  return (patterns) => {
    const events = tenantTables(patterns, namespace)('events');
    const key = events.text;
    const hit = memo.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const value = engine
      .query(
        sql`SELECT ns, max(ts) AS newest FROM ${events} GROUP BY ns ORDER BY ns LIMIT ${MAX_NAMESPACES}`.text,
      )
      .then(
        ({ rows }) =>
          Object.fromEntries(rows.map((row) => [String(row.ns), String(row.newest)])) as NewestEvents,
        () => undefined,
      );
    if (memo.size > 1000) memo.clear();
    memo.set(key, { at: now(), value });
    return value;
  };
}

/**
 * The `x-newest-event-time` header value: `<ns>=<time>` pairs, comma-separated.
 *
 * @example
 * ```ts
 * import { newestHeader } from './freshness.ts';
 * newestHeader({ 'https://a.test': '2026-11-25T09:00:00Z' }); // 'https://a.test=2026-11-25T09:00:00Z'
 * ```
 */
export function newestHeader(newest: NewestEvents): string {
  return Object.entries(newest)
    .map(([ns, time]) => `${ns.replace(/[^\x21-\x7e]/g, '')}=${time.replace(/[^\x21-\x7e]/g, '')}`)
    .join(', ');
}
