import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { type SqlToken, toDuckDbSql } from '../../../query/dialect/index.ts';
import { type ColumnInfo, columnsOf, type LakeType } from '../../../schemas/index.ts';
import { validateRecords } from '../validate-records.ts';
import { parenthesizeJsonArrows } from './parenthesize-json-arrows.ts';
import { pipelineSqlError } from './pipeline-sql-error.ts';
import { type PipelineStatement, parsePipelineSql } from './parse-pipeline-sql.ts';
import type { SyncDuckDb } from './sync-duckdb.ts';

/** A pipeline as configured: a name and its SQL (one or more INSERT statements). */
export interface PipelineDefinition {
  name: string;
  sql: string;
}

/** Construction options of {@link createPipelineTransforms}. */
export interface PipelineTransformsConfig {
  db: SyncDuckDb;
  /** The schema of each stream's records, by stream name. */
  streams: Record<string, z.ZodObject>;
  /** The table schema of each named sink, by sink name. */
  sinks: Record<string, z.ZodObject>;
  pipelines: readonly PipelineDefinition[];
  /** Where batches are staged as NDJSON for DuckDB to read. */
  tmpDir: string;
}

/** A row a statement produced that its sink's schema refused. */
export interface TransformReject {
  pipeline: string;
  sink: string;
  field: string;
  message: string;
  row: Record<string, unknown>;
}

/** What one batch of a stream became, for one sink. */
export interface SinkBatch {
  rows: Record<string, unknown>[];
  rejects: TransformReject[];
}

/** A compiled INSERT: the sink it feeds and the schema of its rows (the sink table, projected). */
export interface CompiledStatement {
  pipeline: string;
  sink: string;
  stream: string;
  /** The sink table's schema picked down to the columns the SELECT produces. */
  schema: z.ZodObject;
  /** The DuckDB query over the staged batch. */
  sql: string;
  columns: ColumnInfo[];
}

/** The transforms of every stream that explicit pipelines read. */
export interface PipelineTransforms {
  statements: CompiledStatement[];
  /** Runs every statement reading `stream` over one batch of its raw records, by sink name. */
  apply(stream: string, records: readonly Record<string, unknown>[], batchId: string): Map<string, SinkBatch>;
}

const DUCKDB_TYPES: Record<LakeType, { read: string; column: string }> = {
  string: { read: 'VARCHAR', column: 'VARCHAR' },
  json: { read: 'VARCHAR', column: 'JSON' },
  int32: { read: 'INTEGER', column: 'INTEGER' },
  int64: { read: 'VARCHAR', column: 'BIGINT' },
  float64: { read: 'DOUBLE', column: 'DOUBLE' },
  bool: { read: 'BOOLEAN', column: 'BOOLEAN' },
  timestamp: { read: 'BIGINT', column: 'TIMESTAMPTZ' },
};
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const POSITION = / \(at line \d+, column \d+\)$/;

/**
 * Compiles pipelines (`INSERT INTO sink SELECT ... FROM stream [WHERE ...]`) against their streams and
 * sinks, and evaluates them per batch in DuckDB: the batch is staged as a table named after the stream
 * (json columns as JSON, timestamps as TIMESTAMPTZ, as the lake reads them), the SELECT is translated
 * by the R2 SQL dialect (so `json_get_str` and friends mean what they mean on the platform), and each
 * output row is checked against its sink's table schema. A sink's rows are that table's columns the
 * SELECT produces (a projection); a column that is not in the table, an unknown stream, sink or column
 * is refused at construction, naming it and its position. Deterministic over the same batch, so a roll
 * redone after a crash produces the same files.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../../schemas/index.ts';
 * import { createPipelineTransforms } from './create-pipeline-transforms.ts';
 * import { createSyncDuckDb } from './sync-duckdb.ts';
 * const transforms = createPipelineTransforms({
 *   db: createSyncDuckDb(), tmpDir: '.data/pipelines/tmp',
 *   streams: { events: eventRow }, sinks: { audit: eventRow },
 *   pipelines: [{ name: 'audit', sql: "INSERT INTO audit SELECT id, seq FROM events WHERE durability = 'do'" }],
 * });
 * transforms.apply('events', records, 'batch-1').get('audit')?.rows;
 * ```
 */
export function createPipelineTransforms(config: PipelineTransformsConfig): PipelineTransforms {
  const { db } = config;
  mkdirSync(config.tmpDir, { recursive: true });
  const fedBy = new Map<string, string>();
  const statements: CompiledStatement[] = [];
  const created = new Set<string>();

  for (const pipeline of config.pipelines) {
    for (const statement of parsePipelineSql(pipeline.name, pipeline.sql)) {
      const fail = (
        offset: number,
        code: Parameters<typeof pipelineSqlError>[3],
        construct: string,
        message: string,
      ) => pipelineSqlError(pipeline.name, pipeline.sql, offset, code, construct, message);
      const streamSchema = config.streams[statement.stream];
      if (!streamSchema)
        throw fail(
          statement.streamAt,
          'unknown-stream',
          statement.stream,
          `unknown stream "${statement.stream}"; streams: ${Object.keys(config.streams).join(', ')}`,
        );
      const sinkSchema = config.sinks[statement.sink];
      if (!sinkSchema)
        throw fail(
          statement.sinkAt,
          'unknown-sink',
          statement.sink,
          `unknown sink "${statement.sink}"; sinks: ${Object.keys(config.sinks).join(', ') || '(none configured)'}`,
        );
      const other = fedBy.get(statement.sink);
      if (other)
        throw fail(
          statement.sinkAt,
          'unsupported',
          statement.sink,
          `sink "${statement.sink}" is already fed by pipeline "${other}": give each INSERT its own sink`,
        );
      fedBy.set(statement.sink, pipeline.name);
      if (!created.has(statement.stream)) {
        db.run([createStreamTable(statement.stream, streamSchema)]);
        created.add(statement.stream);
      }
      statements.push(compile(pipeline.name, statement, sinkSchema, fail));
    }
  }

  function compile(
    pipeline: string,
    statement: PipelineStatement,
    sinkSchema: z.ZodObject,
    fail: (
      offset: number,
      code: 'unsupported' | 'unknown-column' | 'syntax',
      construct: string,
      message: string,
    ) => Error,
  ): CompiledStatement {
    const translated = toDuckDbSql(statement.select, { defaultLimit: null });
    if (!translated.ok) {
      const { problem } = translated;
      throw fail(
        problem.position.offset,
        problem.code === 40003 ? 'syntax' : 'unsupported',
        problem.construct ?? 'SQL',
        problem.message.replace(POSITION, ''),
      );
    }
    const selectSql = parenthesizeJsonArrows(translated.value.sql);
    const selectAt = statement.tokens[0]!.start;
    let described: unknown[][];
    try {
      described = db.run([`DESCRIBE ${selectSql}`]).rows;
    } catch (cause) {
      const message = (cause as Error).message;
      const missing = /Referenced column "([^"]+)" not found/.exec(message)?.[1];
      if (missing) {
        const token = findName(statement.tokens, missing);
        throw fail(
          token?.start ?? selectAt,
          'unknown-column',
          missing,
          `unknown column "${missing}": stream "${statement.stream}" has no such column`,
        );
      }
      throw fail(selectAt, 'unsupported', 'SELECT', `DuckDB refused the SELECT: ${message.split('\n')[0]}`);
    }
    const table = new Map(columnsOf(sinkSchema).map((c) => [c.name, c]));
    const columns: ColumnInfo[] = [];
    const conversions: string[] = [];
    for (const [name, type] of described as [string, string][]) {
      const column = table.get(name);
      const token = findName(statement.tokens, name, true);
      if (!column)
        throw fail(
          token?.start ?? selectAt,
          'unknown-column',
          name,
          `the SELECT produces "${name}", which is not a column of sink "${statement.sink}"; its columns: ${[...table.keys()].join(', ')}`,
        );
      if (columns.some((c) => c.name === name))
        throw fail(
          token?.start ?? selectAt,
          'unsupported',
          name,
          `the SELECT produces "${name}" twice: column names must be unique`,
        );
      columns.push(column);
      conversions.push(`${convert(ident(name), column.lakeType, type)} AS ${ident(name)}`);
    }
    return {
      pipeline,
      sink: statement.sink,
      stream: statement.stream,
      schema: sinkSchema.pick(Object.fromEntries(columns.map((c) => [c.name, true])) as Record<string, true>),
      sql: `SELECT ${conversions.join(', ')} FROM (${selectSql}\n) AS __pipeline_output`,
      columns,
    };
  }

  return {
    statements,
    apply(stream, records, batchId) {
      const out = new Map<string, SinkBatch>();
      const mine = statements.filter((s) => s.stream === stream);
      if (mine.length === 0) return out;
      for (const s of mine) out.set(s.sink, { rows: [], rejects: [] });
      if (records.length === 0) return out;
      const schema = config.streams[stream]!;
      const file = resolve(join(config.tmpDir, `${stream}.${batchId}.ndjson`));
      writeFileSync(file, `${records.map((r) => JSON.stringify(stage(schema, r))).join('\n')}\n`);
      try {
        db.run([createStreamTable(stream, schema), loadStreamTable(stream, schema, file)]);
        for (const statement of mine) out.set(statement.sink, evaluate(statement));
      } finally {
        unlinkSync(file);
      }
      return out;
    },
  };

  function evaluate(statement: CompiledStatement): SinkBatch {
    const result = db.run([statement.sql]);
    const rows: Record<string, unknown>[] = [];
    const rejects: TransformReject[] = [];
    for (const values of result.rows) {
      const row: Record<string, unknown> = {};
      let problem: { field: string; message: string } | null = null;
      statement.columns.forEach((column, i) => {
        const value = fromDuckDb(values[i], column.lakeType);
        if (value instanceof Error) problem ??= { field: column.name, message: value.message };
        else row[column.name] = value;
      });
      const invalid = problem ? [problem] : validateRecords(statement.schema, [row]);
      if (invalid.length === 0) rows.push(row);
      else
        for (const p of invalid)
          rejects.push({
            pipeline: statement.pipeline,
            sink: statement.sink,
            field: p.field,
            message: p.message,
            row,
          });
    }
    return { rows, rejects };
  }
}

function createStreamTable(stream: string, schema: z.ZodObject): string {
  const columns = columnsOf(schema).map((c) => `${ident(c.name)} ${DUCKDB_TYPES[c.lakeType].column}`);
  return `CREATE OR REPLACE TABLE ${ident(stream)} (${columns.join(', ')})`;
}

function loadStreamTable(stream: string, schema: z.ZodObject, file: string): string {
  const columns = columnsOf(schema);
  const read = columns.map((c) => `${literal(c.name)}: ${literal(DUCKDB_TYPES[c.lakeType].read)}`);
  const select = columns.map((c) => {
    const name = ident(c.name);
    if (c.lakeType === 'timestamp') return `CAST(make_timestamp(${name}) AS TIMESTAMPTZ)`;
    if (c.lakeType === 'int64') return `CAST(${name} AS BIGINT)`;
    if (c.lakeType === 'json') return `CAST(${name} AS JSON)`;
    return name;
  });
  return `INSERT INTO ${ident(stream)} SELECT ${select.join(', ')} FROM read_json(${literal(file)}, format = 'newline_delimited', columns = {${read.join(', ')}})`;
}

/** A raw record as DuckDB reads it: int64 as decimal text, json as JSON text, the rest as is. */
function stage(schema: z.ZodObject, record: Record<string, unknown>): Record<string, unknown> {
  const parsed = schema.parse(record) as Record<string, unknown>;
  const staged: Record<string, unknown> = {};
  for (const column of columnsOf(schema)) {
    const value = parsed[column.name];
    if (value === null || value === undefined) continue;
    if (column.lakeType === 'int64') staged[column.name] = String(value);
    else if (column.lakeType === 'json') staged[column.name] = JSON.stringify(value);
    else staged[column.name] = value;
  }
  return staged;
}

/** The SQL that brings an output column into the form its sink column is read back in. */
function convert(name: string, lakeType: LakeType, type: string): string {
  if (lakeType === 'timestamp' && type.startsWith('TIMESTAMP')) return `epoch_us(${name})`;
  if (lakeType === 'json' && type !== 'VARCHAR' && type !== 'JSON')
    return `CAST(to_json(${name}) AS VARCHAR)`;
  if (lakeType === 'json') return `CAST(${name} AS VARCHAR)`;
  return name;
}

function fromDuckDb(value: unknown, lakeType: LakeType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    const small = Number(value);
    return Number.isSafeInteger(small)
      ? small
      : lakeType === 'int64'
        ? value
        : new Error(`${value} is out of range`);
  }
  if (lakeType === 'json' && typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return new Error(`must be JSON text for a json column, got ${JSON.stringify(value.slice(0, 80))}`);
    }
  }
  return value;
}

/** The token naming `name` (an alias when `output`: the last match before the top-level FROM). */
function findName(tokens: SqlToken[], name: string, output = false): SqlToken | undefined {
  const matches = (t: SqlToken) =>
    (t.kind === 'word' && t.value.toLowerCase() === name.toLowerCase()) ||
    (t.kind === 'quoted' && t.value === name);
  if (!output) return tokens.find(matches);
  const from = tokens.findIndex((t) => t.kind === 'word' && t.value === 'FROM');
  return tokens.slice(0, from === -1 ? tokens.length : from).findLast(matches);
}
