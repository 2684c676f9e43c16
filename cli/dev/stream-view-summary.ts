import type { QueryEngine } from '../../query/index.ts';
import { sql } from '../../sql/index.ts';
import { createViewRegistry, type StreamView } from '../../views/index.ts';
import { formatTable } from './format-table.ts';

/**
 * What each stream view holds after the demo: its rows landed by its pipeline (every delivery) and
 * distinct ids, and its newest rows as the view reads them (deduplicated), as text.
 *
 * @example
 * ```ts
 * import { summarizeStreamViews } from './stream-view-summary.ts';
 * console.log(await summarizeStreamViews(engine, streamViews));
 * ```
 */
export async function summarizeStreamViews(
  engine: QueryEngine,
  views: readonly StreamView[],
  newest = 3,
): Promise<string> {
  const registry = createViewRegistry(views);
  const parts: string[] = [];
  for (const view of views) {
    const table = sql.id('analytics', view.table);
    let counts: { landed?: unknown; ids?: unknown } | undefined;
    try {
      counts = (
        await engine.query<{ landed: unknown; ids: unknown }>(
          sql`SELECT count(*) AS landed, count(DISTINCT id) AS ids FROM ${table}`.text,
        )
      ).rows[0];
    } catch {
      parts.push(`stream view ${view.key} (${view.sink.table}): no rows landed yet`);
      continue;
    }
    const landed = Number(counts?.landed ?? 0);
    const ids = Number(counts?.ids ?? 0);
    parts.push(
      `stream view ${view.key} (table ${view.sink.table}, pipeline ${view.pipeline.name}): ${landed} rows landed, ${ids} distinct ids — ${view.description}`,
    );
    if (ids === 0) continue;
    const rows = (await registry.run(engine, view.key, { limit: 10_000 })).rows.slice(-newest);
    const columns = view.sink.columns.map((c) => c.name).filter((c) => c !== 'id' && c !== 'ns');
    parts.push(
      formatTable(
        columns,
        rows.map((row) => columns.map((c) => shorten(row[c]))),
      ),
    );
  }
  return parts.join('\n');
}

const shorten = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};
