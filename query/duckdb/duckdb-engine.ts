import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TABLES, toDuckDbColumns } from '../../schemas/index.ts';
import type { QueryEngine, QueryResult } from '../query-engine.ts';
import type { DuckDbConnectionLike, DuckDbEngineConfig } from './duckdb-engine-config.ts';

/** A {@link QueryEngine} over a local lake directory. */
export interface DuckDbEngine extends QueryEngine {
  readonly connection: DuckDbConnectionLike;
  close(): void;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

async function hasParquet(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.some((entry) => entry.endsWith('.parquet'));
}

const INTEGER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'UINTEGER']);

function normalize(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (INTEGER_TYPES.has(type) && typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (type.startsWith('TIMESTAMP') && typeof value === 'string') {
    // DuckDB prints '2026-11-25 09:00:00.123456+00'; answer ISO 8601 in UTC.
    return `${value.replace(' ', 'T').replace(/\+00$/, '')}Z`.replace(/ZZ$/, 'Z');
  }
  return value;
}

/**
 * Opens DuckDB (in memory) over a lake directory and exposes each table as `namespace.table` (and, for
 * convenience, the bare table name). Files written after creation are seen by the next query.
 *
 * @example
 * ```ts
 * import { createDuckDbEngine } from './duckdb-engine.ts';
 * const engine = await createDuckDbEngine({ lake: '.data/r2/lake' });
 * const { rows } = await engine.query('SELECT count(*) AS n FROM analytics.events');
 * ```
 */
export async function createDuckDbEngine(config: DuckDbEngineConfig): Promise<DuckDbEngine> {
  const namespace = config.namespace ?? 'analytics';
  const tables = config.tables ?? TABLES;
  const connection = config.connection ?? (await (await DuckDBInstance.create(':memory:')).connect());
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(namespace)}`);
  await connection.run(`SET search_path = ${quoteString(`${namespace},main`)}`);
  const waiting = new Map(Object.entries(tables));

  // A table starts as an empty relation of the right shape; once its first file lands the view is
  // re-pointed at the glob, which DuckDB re-expands on every query.
  async function refresh(initial: boolean): Promise<void> {
    for (const [name, schema] of waiting) {
      const dir = join(config.lake, name);
      const target = `${quoteIdent(namespace)}.${quoteIdent(name)}`;
      if (await hasParquet(dir)) {
        const glob = quoteString(join(dir, '**', '*.parquet'));
        await connection.run(
          `CREATE OR REPLACE VIEW ${target} AS SELECT * FROM read_parquet(${glob}, union_by_name = true, hive_partitioning = false)`,
        );
        waiting.delete(name);
      } else if (initial) {
        const empty = `${quoteIdent(namespace)}.${quoteIdent(`_empty_${name}`)}`;
        await connection.run(`CREATE OR REPLACE TABLE ${empty} (${toDuckDbColumns(schema)})`);
        await connection.run(`CREATE OR REPLACE VIEW ${target} AS SELECT * FROM ${empty}`);
      }
    }
  }
  await refresh(true);

  return {
    connection,
    async query<Row>(sql: string): Promise<QueryResult<Row>> {
      if (waiting.size > 0) await refresh(false);
      const reader = await connection.runAndReadAll(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes().map(String);
      const rows = reader.getRowObjectsJson().map((raw) => {
        const row: Record<string, unknown> = {};
        names.forEach((name, i) => {
          row[name] = normalize(raw[name], types[i]!);
        });
        return row as Row;
      });
      return { schema: names.map((name, i) => ({ name, type: types[i]! })), rows };
    },
    close(): void {
      connection.closeSync?.();
    },
  };
}
