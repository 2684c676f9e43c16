import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CATALOG_PREFIX } from '../../lake/iceberg/index.ts';
import { TABLES } from '../../schemas/index.ts';
import type { QueryEngine, QueryResult } from '../query-engine.ts';
import type { DuckDbConnectionLike, DuckDbEngineConfig } from './duckdb-engine-config.ts';
import { quoteIdent, quoteString } from './duckdb-quote.ts';
import {
  directorySource,
  icebergSource,
  listCatalogTables,
  type TableSource,
  type TableState,
} from './table-sources.ts';

/** A {@link QueryEngine} over a local lake directory. */
export interface DuckDbEngine extends QueryEngine {
  readonly connection: DuckDbConnectionLike;
  /**
   * The data files a table (`namespace.table`, or a bare name in the engine's namespace) read at the
   * last query: an Iceberg table's live files, or a directory's Parquet files.
   */
  tableFiles(table: string): string[];
  close(): void;
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

interface ExposedTable {
  namespace: string;
  name: string;
  source: TableSource;
  state?: TableState;
}

/**
 * Opens DuckDB (in memory) over a lake directory and exposes tables as `namespace.table` (and, in the
 * engine's namespace, by bare name). Iceberg tables of the bucket's local R2 Data Catalog
 * (`<lake>/__r2_data_catalog/<namespace>/<table>`) are read through their current snapshot's live
 * files, re-resolved whenever the table's metadata version moves, so a compaction never doubles rows.
 * Configured tables not in the catalog read the r2 sink's directories (`<lake>/<table>/**.parquet`).
 * Files and snapshots written after creation are seen by the next query.
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
  const catalogDir = config.catalog ?? join(config.lake, CATALOG_PREFIX);
  const connection = config.connection ?? (await (await DuckDBInstance.create(':memory:')).connect());
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(namespace)}`);
  await connection.run(`SET search_path = ${quoteString(`${namespace},main`)}`);
  const schemas = new Set([namespace]);
  const exposed = new Map<string, ExposedTable>();

  function pickSources(): void {
    for (const [ns, name, dir] of listCatalogTables(catalogDir)) {
      const key = `${ns}.${name}`;
      if (exposed.get(key)?.source.kind !== 'iceberg') {
        exposed.set(key, { namespace: ns, name, source: icebergSource(dir) });
      }
    }
    for (const [name, schema] of Object.entries(tables)) {
      const key = `${namespace}.${name}`;
      if (!exposed.has(key)) {
        exposed.set(key, { namespace, name, source: directorySource(join(config.lake, name), schema) });
      }
    }
  }

  async function refresh(): Promise<void> {
    pickSources();
    for (const table of exposed.values()) {
      const state = await table.source.poll();
      if (!state) continue;
      if (!schemas.has(table.namespace)) {
        await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.namespace)}`);
        schemas.add(table.namespace);
      }
      await connection.run(
        `CREATE OR REPLACE VIEW ${quoteIdent(table.namespace)}.${quoteIdent(table.name)} AS ${state.relation}`,
      );
      table.state = state;
    }
  }
  await refresh();

  return {
    connection,
    tableFiles(name) {
      const key = name.includes('.') ? name : `${namespace}.${name}`;
      const table = exposed.get(key);
      if (!table) throw new Error(`no table "${name}"; tables: ${[...exposed.keys()].join(', ')}`);
      return table.state?.files ?? [];
    },
    async query<Row>(sql: string): Promise<QueryResult<Row>> {
      await refresh();
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
