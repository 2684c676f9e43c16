/**
 * A small lake for the view families' focused tests: the events as delivered (duplicates and all),
 * and the things and actions rows the stack derives from them, written as zstd Parquet in the r2
 * layout (`<table>/year=/month=/day=/<uuid>.parquet`, one file per table and day), as the Pipelines
 * stand-in writes them — without starting its roll worker.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dataFileKey, encodeParquet } from '../../../lake/index.ts';
import type { DuckDbEngine } from '../../../query/duckdb/index.ts';
import { withR2SqlDialect } from '../../../query/with-r2-sql-dialect.ts';
import { actionRow, deriveGlobalRows, type EventRow, eventRow, thingRow } from '../../../schemas/index.ts';
import type { ViewEngine } from '../../../views/index.ts';

/** Writes the tables of `delivered` under `dir`; answers the derived rows (as delivered) too. */
export async function writeSmallLake(dir: string, delivered: readonly EventRow[]) {
  const derived = delivered.map((e) => deriveGlobalRows(e));
  const tables = {
    events: { schema: eventRow, rows: [...delivered] as Record<string, unknown>[] },
    things: { schema: thingRow, rows: derived.flatMap((d) => d.things) as Record<string, unknown>[] },
    actions: { schema: actionRow, rows: derived.flatMap((d) => d.actions) as Record<string, unknown>[] },
  };
  for (const [table, { schema, rows }] of Object.entries(tables)) {
    const byDay = new Map<string, Record<string, unknown>[]>();
    for (const row of rows) {
      const day = new Date(Math.floor((row.ts as number) / 1000)).toISOString().slice(0, 10);
      byDay.set(day, [...(byDay.get(day) ?? []), row]);
    }
    for (const [day, dayRows] of byDay) {
      const path = join(dir, dataFileKey(table, new Date(`${day}T00:00:00Z`)));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, encodeParquet(schema, dayRows));
    }
  }
  return { things: derived.flatMap((d) => d.things), actions: derived.flatMap((d) => d.actions) };
}

/** The R2 SQL dialect over a DuckDB engine, as the registry's structural engine type (no metrics). */
export function dialectViewEngine(duckdb: DuckDbEngine): ViewEngine {
  const dialect = withR2SqlDialect(duckdb);
  return { query: async (sql) => ({ ...(await dialect.query(sql)), metrics: undefined }) };
}
