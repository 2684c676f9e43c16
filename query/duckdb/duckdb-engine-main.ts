/**
 * The engine process (Node only): runs {@link createDuckDbEngine} for its parent, which talks to it
 * over the IPC channel (`query`, `run`, `trusted`, `tableFiles`, `tables`, `planScans`), and exits when the parent goes away.
 *
 * @module
 */
import { sql } from '../../sql/index.ts';
import { isR2SqlError, type R2SqlErrorCode } from '../r2sql/r2sql-error.ts';
import { type R2SqlDialectEngine, type TableScanRequest, withR2SqlDialect } from '../with-r2-sql-dialect.ts';
import { createDuckDbEngine, type DuckDbEngine } from './duckdb-engine.ts';
import type { DuckDbEngineConfig } from './duckdb-engine-config.ts';
import { fromDuckDbError } from './duckdb-query-error.ts';

/** A request from the parent. */
export type EngineRequest =
  | { type: 'init'; config: Omit<DuckDbEngineConfig, 'tables'> }
  | { type: 'query'; id: number; sql: string }
  /** SQL in R2 SQL's dialect: checked, translated and run here, so a slow translation blocks only this process. */
  | { type: 'run'; id: number; sql: string }
  | { type: 'trusted'; id: number; sql: string }
  | { type: 'tableFiles'; id: number; table: string }
  | { type: 'tables'; id: number }
  /** The reads of one statement, answered one plan per request in order (bounds are bigints: advanced serialization). */
  | { type: 'planScans'; id: number; requests: TableScanRequest[] };

/** An answer to the parent. */
export type EngineReply =
  | { type: 'ready' }
  | { type: 'ok'; id: number; value: unknown }
  | { type: 'error'; id: number; reason: string; message: string }
  | {
      type: 'r2sql-error';
      id: number;
      code: R2SqlErrorCode;
      message: string;
      position?: { line: number; column: number };
    };

const send = (reply: EngineReply): void => {
  process.send?.(reply, undefined, undefined, () => {});
};

let engine: Promise<{ duckdb: DuckDbEngine; dialect: R2SqlDialectEngine }> | null = null;

async function answer(request: Exclude<EngineRequest, { type: 'init' }>): Promise<unknown> {
  const { duckdb: ready, dialect } = await engine!;
  if (request.type === 'run') return dialect.run(request.sql);
  if (request.type === 'query') return ready.query(request.sql);
  if (request.type === 'tableFiles') return ready.tableFiles(request.table);
  if (request.type === 'tables') return ready.tables();
  if (request.type === 'planScans') return ready.planScans(request.requests);
  // The parent builds these with the sql template; they run on the engine's own connection.
  const reader = await ready.trusted(sql.raw(request.sql));
  return {
    names: reader.columnNames(),
    types: reader.columnTypes().map(String),
    rows: reader.getRowObjectsJson(),
  };
}

process.on('message', (request: EngineRequest) => {
  if (request.type === 'init') {
    engine = createDuckDbEngine(request.config).then((duckdb) => ({
      duckdb,
      dialect: withR2SqlDialect(duckdb, { catalog: () => duckdb.tables() }),
    }));
    engine.then(
      () => send({ type: 'ready' }),
      (cause: Error) => send({ type: 'error', id: -1, reason: 'failed', message: cause.message }),
    );
    return;
  }
  answer(request).then(
    (value) => send({ type: 'ok', id: request.id, value }),
    (cause: unknown) => {
      if (request.type === 'run' && isR2SqlError(cause)) {
        // The message without the "R2 SQL <code>: " prefix the error's constructor adds.
        const message = cause.message.replace(/^R2 SQL [^:]+: /, '');
        const position = cause.position ? { position: cause.position } : {};
        send({ type: 'r2sql-error', id: request.id, code: cause.code, message, ...position });
        return;
      }
      const error = fromDuckDbError(cause);
      send({ type: 'error', id: request.id, reason: error.reason, message: error.message });
    },
  );
});
process.on('disconnect', () => process.exit(0));
