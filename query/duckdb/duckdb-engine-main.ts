/**
 * The engine process (Node only): runs {@link createDuckDbEngine} for its parent, which talks to it
 * over the IPC channel (`query`, `trusted`, `tableFiles`), and exits when the parent goes away.
 *
 * @module
 */
import { sql } from '../../sql/index.ts';
import { createDuckDbEngine, type DuckDbEngine } from './duckdb-engine.ts';
import type { DuckDbEngineConfig } from './duckdb-engine-config.ts';
import { fromDuckDbError } from './duckdb-query-error.ts';

/** A request from the parent. */
export type EngineRequest =
  | { type: 'init'; config: Omit<DuckDbEngineConfig, 'tables'> }
  | { type: 'query'; id: number; sql: string }
  | { type: 'trusted'; id: number; sql: string }
  | { type: 'tableFiles'; id: number; table: string };

/** An answer to the parent. */
export type EngineReply =
  | { type: 'ready' }
  | { type: 'ok'; id: number; value: unknown }
  | { type: 'error'; id: number; reason: string; message: string };

const send = (reply: EngineReply): void => {
  process.send?.(reply, undefined, undefined, () => {});
};

let engine: Promise<DuckDbEngine> | null = null;

async function answer(request: Exclude<EngineRequest, { type: 'init' }>): Promise<unknown> {
  const ready = await engine!;
  if (request.type === 'query') return ready.query(request.sql);
  if (request.type === 'tableFiles') return ready.tableFiles(request.table);
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
    engine = createDuckDbEngine(request.config);
    engine.then(
      () => send({ type: 'ready' }),
      (cause: Error) => send({ type: 'error', id: -1, reason: 'failed', message: cause.message }),
    );
    return;
  }
  answer(request).then(
    (value) => send({ type: 'ok', id: request.id, value }),
    (cause: unknown) => {
      const error = fromDuckDbError(cause);
      send({ type: 'error', id: request.id, reason: error.reason, message: error.message });
    },
  );
});
process.on('disconnect', () => process.exit(0));
