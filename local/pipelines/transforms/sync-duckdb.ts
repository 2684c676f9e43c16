import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

/** The result of the last statement of a {@link SyncDuckDb.run} call. */
export interface SyncDuckDbResult {
  columns: string[];
  /** DuckDB type names, e.g. `BIGINT`, `TIMESTAMP WITH TIME ZONE`, `DECIMAL(21,1)`. */
  types: string[];
  /** Row values as `@duckdb/node-api` converts them to JS (BIGINT as bigint). */
  rows: unknown[][];
}

/** An in-memory DuckDB driven synchronously, for callers that cannot await (the roll path). */
export interface SyncDuckDb {
  /** Runs the statements in order on one connection; answers the last one's rows, or throws its error. */
  run(statements: readonly string[]): SyncDuckDbResult;
  close(): void;
}

// Runs in a worker thread (CommonJS, eval'd): DuckDB's API is async, so the worker awaits it and wakes
// the caller, which sleeps on a shared flag and then reads the reply off its port synchronously.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { DuckDBInstance } = require(workerData.duckdb);
const { port, flag: buffer } = workerData;
const flag = new Int32Array(buffer);
let connection;
port.on('message', async ({ statements }) => {
  let reply;
  try {
    if (!connection) {
      connection = await (await DuckDBInstance.create(':memory:')).connect();
      await connection.run("SET TimeZone = 'UTC'");
    }
    let result = null;
    for (const sql of statements) result = await connection.runAndReadAll(sql);
    reply = result
      ? { ok: true, columns: result.columnNames(), types: result.columnTypes().map(String), rows: result.getRowsJS() }
      : { ok: true, columns: [], types: [], rows: [] };
  } catch (error) {
    reply = { ok: false, message: String(error && error.message ? error.message : error) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/**
 * Starts an in-memory DuckDB in a worker thread and answers its queries synchronously, so a
 * transform can run inside the stand-in's synchronous roll. Node only.
 *
 * @example
 * ```ts
 * import { createSyncDuckDb } from './sync-duckdb.ts';
 * const db = createSyncDuckDb();
 * db.run(['SELECT 41 + 1 AS answer']).rows; // [[42]]
 * db.close();
 * ```
 */
export function createSyncDuckDb(timeoutMs = 120_000): SyncDuckDb {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const duckdb = createRequire(import.meta.url).resolve('@duckdb/node-api');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // A plain CommonJS worker: the parent's flags (a loader, --input-type=module) must not change how it runs.
    execArgv: [],
    workerData: { duckdb, port: port2, flag: flag.buffer },
    transferList: [port2],
  });
  worker.unref();
  let closed = false;

  return {
    run(statements) {
      if (closed) throw new Error('the transform engine is closed');
      Atomics.store(flag, 0, 0);
      port1.postMessage({ statements });
      if (Atomics.wait(flag, 0, 0, timeoutMs) === 'timed-out') {
        throw new Error(`DuckDB did not answer within ${timeoutMs} ms`);
      }
      const reply = receiveMessageOnPort(port1)?.message as
        | ({ ok: true } & SyncDuckDbResult)
        | { ok: false; message: string }
        | undefined;
      if (!reply) throw new Error('DuckDB worker woke without a reply');
      if (!reply.ok) throw new Error(reply.message);
      return { columns: reply.columns, types: reply.types, rows: reply.rows };
    },
    close() {
      if (closed) return;
      closed = true;
      port1.close();
      void worker.terminate();
    },
  };
}
