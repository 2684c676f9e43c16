import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { type SqlFragment, sql, toDuckDbSql } from '../../../sql/index.ts';
import { type ColumnInfo, columnsOf } from '../../../schemas/index.ts';
import { compileRecordTest, type RecordTest } from '../compile-record-test.ts';
import { validateRecords } from '../validate-records.ts';
import { pipelineSqlError } from '../../../sql/pipelines/index.ts';
import { type PipelineStatement, parsePipelineSql } from '../../../sql/pipelines/index.ts';
import {
  convert,
  createStreamTable,
  fromDuckDb,
  loadStreamTable,
  stage,
  typeMismatch,
} from './stage-batch.ts';
import { findName, isPassThrough } from './statement-shape.ts';
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
  /**
   * `SELECT * FROM <stream>` into a sink whose table has the stream's columns: its rows are the batch's
   * records as they are, so the batch is not taken through DuckDB for it.
   */
  passThrough: boolean;
}

/** The transforms of every stream that explicit pipelines read. */
export interface PipelineTransforms {
  statements: CompiledStatement[];
  /** Runs every statement reading `stream` over one batch of its raw records, by sink name. */
  apply(stream: string, records: readonly Record<string, unknown>[], batchId: string): Map<string, SinkBatch>;
}

/** Nesting the fast record test accepts; deeper values take zod's check (records are bounded at ingest). */
const FAST_TEST_DEPTH = 256;

const POSITION = / \(at line \d+, column \d+\)$/;
/** DuckDB errors about a value, not about the query or the engine. */
const DATA_ERROR = /^(Conversion|Invalid Input|Out of Range) Error/;

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
  // Records and output rows are checked by a test compiled once per schema; zod runs only where it
  // says "not sure", to decide and explain.
  const tests = new Map<z.ZodObject, RecordTest>();
  const isValid = (schema: z.ZodObject, record: unknown): boolean => {
    let test = tests.get(schema);
    if (!test) {
      test = compileRecordTest(schema);
      tests.set(schema, test);
    }
    return test(record, FAST_TEST_DEPTH);
  };

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
    const translated = toDuckDbSql(statement.select, {
      defaultLimit: null,
      unqualifiedTables: true,
      dataFusionNames: false,
    });
    if (!translated.ok) {
      const { problem } = translated;
      throw fail(
        problem.position.offset,
        problem.code === 40003 ? 'syntax' : 'unsupported',
        problem.construct ?? 'SQL',
        problem.message.replace(POSITION, ''),
      );
    }
    // Checked by the Pipelines SQL checker and translated by the dialect: trusted from here on.
    const selectSql = sql.raw(translated.value.sql);
    const selectAt = statement.tokens[0]!.start;
    let described: unknown[][];
    try {
      described = db.run([sql`DESCRIBE ${selectSql}`.text]).rows;
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
      const unknown = /Function with name "?(\w+)"? does not exist/.exec(message)?.[1];
      if (unknown) {
        const token = findName(statement.tokens, unknown);
        throw fail(token?.start ?? selectAt, 'unsupported', unknown, `unknown function ${unknown}()`);
      }
      throw fail(selectAt, 'unsupported', 'SELECT', `DuckDB refused the SELECT: ${message.split('\n')[0]}`);
    }
    const table = new Map(columnsOf(sinkSchema).map((c) => [c.name, c]));
    const columns: ColumnInfo[] = [];
    const conversions: SqlFragment[] = [];
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
      const mismatch = typeMismatch(column.lakeType, type);
      if (mismatch)
        throw fail(
          token?.start ?? selectAt,
          'unsupported',
          name,
          `column "${name}" of sink "${statement.sink}": ${mismatch}`,
        );
      columns.push(column);
      conversions.push(sql`${convert(sql.id(name), column.lakeType, type)} AS ${sql.id(name)}`);
    }
    return {
      pipeline,
      sink: statement.sink,
      stream: statement.stream,
      schema: sinkSchema.pick(Object.fromEntries(columns.map((c) => [c.name, true])) as Record<string, true>),
      sql: sql`SELECT ${sql.join(conversions)} FROM (${selectSql}\n) AS __pipeline_output`.text,
      columns,
      passThrough: isPassThrough(statement, columns, config.streams[statement.stream]!),
    };
  }

  return {
    statements,
    apply(stream, records, batchId) {
      const out = new Map<string, SinkBatch>();
      const mine = statements.filter((s) => s.stream === stream);
      if (mine.length === 0) return out;
      for (const s of mine)
        out.set(s.sink, {
          rows: s.passThrough ? (records as Record<string, unknown>[]).slice() : [],
          rejects: [],
        });
      const evaluated = mine.filter((s) => !s.passThrough);
      if (records.length === 0 || evaluated.length === 0) return out;
      const schema = config.streams[stream]!;
      const file = resolve(join(config.tmpDir, `${stream}.${batchId}.ndjson`));
      writeFileSync(
        file,
        `${records.map((r) => JSON.stringify(stage(schema, r, isValid(schema, r)))).join('\n')}\n`,
      );
      try {
        db.run([createStreamTable(stream, schema), loadStreamTable(stream, schema, file)]);
        for (const statement of evaluated) out.set(statement.sink, evaluateBatch(statement, records));
      } finally {
        unlinkSync(file);
      }
      return out;
    },
  };

  // A record the SELECT cannot evaluate (a CAST that fails on its value, say) would fail the whole batch
  // on every retry and stop the sink for good: the batch is then evaluated record by record, and the
  // records that fail are kept as rejects with DuckDB's message. Other errors fail the roll, to be retried.
  function evaluateBatch(
    statement: CompiledStatement,
    records: readonly Record<string, unknown>[],
  ): SinkBatch {
    try {
      return evaluate(statement, db.run([statement.sql]).rows);
    } catch (error) {
      if (!DATA_ERROR.test((error as Error).message)) throw error;
    }
    const table = sql.id(statement.stream);
    db.run([
      sql`CREATE OR REPLACE TABLE __pipeline_batch AS SELECT *, row_number() OVER () AS __row FROM ${table}`
        .text,
    ]);
    const batch: SinkBatch = { rows: [], rejects: [] };
    try {
      records.forEach((record, i) => {
        try {
          const one =
            sql`CREATE OR REPLACE TABLE ${table} AS SELECT * EXCLUDE (__row) FROM __pipeline_batch WHERE __row = ${i + 1}`
              .text;
          const part = evaluate(statement, db.run([one, statement.sql]).rows);
          batch.rows.push(...part.rows);
          batch.rejects.push(...part.rejects);
        } catch (error) {
          const message = (error as Error).message;
          if (!DATA_ERROR.test(message)) throw error;
          const { pipeline, sink } = statement;
          batch.rejects.push({
            pipeline,
            sink,
            field: '(record)',
            message: message.split('\n')[0]!,
            row: { ...record },
          });
        }
      });
    } finally {
      db.run([
        sql`CREATE OR REPLACE TABLE ${table} AS SELECT * EXCLUDE (__row) FROM __pipeline_batch ORDER BY __row`
          .text,
        'DROP TABLE __pipeline_batch',
      ]);
    }
    return batch;
  }

  function evaluate(statement: CompiledStatement, results: unknown[][]): SinkBatch {
    const rows: Record<string, unknown>[] = [];
    const rejects: TransformReject[] = [];
    for (const values of results) {
      const row: Record<string, unknown> = {};
      let problem: { field: string; message: string } | null = null;
      statement.columns.forEach((column, i) => {
        const value = fromDuckDb(values[i], column.lakeType);
        if (value instanceof Error) problem ??= { field: column.name, message: value.message };
        else row[column.name] = value;
      });
      const invalid = problem
        ? [problem]
        : isValid(statement.schema, row)
          ? []
          : validateRecords(statement.schema, [row]);
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
