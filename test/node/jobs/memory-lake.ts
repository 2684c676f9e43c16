import { DuckDBInstance } from '@duckdb/node-api';
import type { Sink } from '../../../ingest/sink.ts';
import { type R2SqlDialectEngine, withR2SqlDialect } from '../../../query/index.ts';
import { columnsOf, TABLES, type TableName, toDuckDbDdl } from '../../../schemas/index.ts';
import { type SqlFragment, sql } from '../../../sql/index.ts';

/** Global tables as DuckDB tables in memory, read in R2 SQL's dialect: fast enough for property tests. */
export interface MemoryLake {
  engine: R2SqlDialectEngine;
  insert(table: TableName, rows: Record<string, unknown>[]): Promise<void>;
  sink(table: TableName): Sink;
  close(): void;
}

function literal(lakeType: string, value: unknown): SqlFragment {
  if (value === null || value === undefined) return sql`NULL`;
  if (lakeType === 'timestamp') return sql.timestamp(Number(value));
  if (lakeType === 'json') return sql.literal(JSON.stringify(value));
  return sql.literal(value as string | number | boolean);
}

export async function createMemoryLake(): Promise<MemoryLake> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run('CREATE SCHEMA analytics');
  await connection.run('SET search_path = analytics');
  for (const [name, schema] of Object.entries(TABLES)) await connection.run(toDuckDbDdl(name, schema));
  const engine = withR2SqlDialect({
    async query<Row>(text: string) {
      const reader = await connection.runAndReadAll(text);
      const names = reader.columnNames();
      return {
        schema: names.map((name) => ({ name })),
        rows: reader.getRowObjectsJson() as Row[],
      };
    },
  });
  const insert = async (table: TableName, rows: Record<string, unknown>[]) => {
    if (rows.length === 0) return;
    const columns = columnsOf(TABLES[table]);
    const values = rows.map(
      (row) => sql`(${sql.join(columns.map((c) => literal(c.lakeType, row[c.name])))})`,
    );
    await connection.run(sql`INSERT INTO ${sql.id('analytics', table)} VALUES ${sql.join(values)}`.text);
  };
  return {
    engine,
    insert,
    sink: (table) => ({ send: (rows) => insert(table, rows) }),
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
