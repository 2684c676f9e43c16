import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QueryResult } from '../query-engine.ts';
import { R2SqlError } from '../r2sql/r2sql-error.ts';
import type { R2SqlDialectEngine, R2SqlRun } from '../with-r2-sql-dialect.ts';
import type { DuckDbEngine } from './duckdb-engine.ts';
import {
  type DuckDbEngineConfig,
  type DuckDbReaderLike,
  resolveQueryLimits,
} from './duckdb-engine-config.ts';
import type { EngineReply, EngineRequest } from './duckdb-engine-main.ts';
import { QueryEngineError, type QueryEngineErrorReason } from '../query-engine-error.ts';

/** Construction options of {@link createIsolatedDuckDbEngine}. */
export interface IsolatedDuckDbEngineConfig extends Omit<DuckDbEngineConfig, 'tables'> {
  /** The engine process is killed when its resident memory passes this (default 3 GiB). */
  maxProcessBytes?: number;
  /** How long past `timeoutMs` a query may go unanswered before the process is killed (default 2 s). */
  killGraceMs?: number;
}

interface Pending {
  sql: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'duckdb-engine-main.ts');
const PAGE = 4096;

function residentBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
  } catch {
    return 0;
  }
}

/**
 * The DuckDB engine in a process of its own, so no query can take the caller's process down with it:
 * DuckDB's memory limit does not cover every allocation (a `repeat()` or a list built in one scalar
 * call is not counted, and is not interruptible), so the caller watches the process and kills it when
 * a query outlives `timeoutMs + killGraceMs` or the process outgrows `maxProcessBytes`; that query is
 * refused (`timeout` or `memory`), other queries in flight fail as `crashed` (retry them), and the next
 * query starts a fresh process. Results arrive already bounded in size; the caller's event loop does
 * no DuckDB work at all. `run` takes R2 SQL's dialect and checks and translates it in the engine
 * process too (through withR2SqlDialect), so a query that is slow to translate cannot stall the
 * caller either. Node only; the process runs the TypeScript sources through tsx.
 *
 * @example
 * ```ts
 * import { createIsolatedDuckDbEngine } from './isolated-duckdb-engine.ts';
 * const engine = await createIsolatedDuckDbEngine({ lake: '.data/r2/lake', timeoutMs: 10_000 });
 * await engine.query('SELECT count(*) AS n FROM analytics.events');
 * await engine.close();
 * ```
 */
export async function createIsolatedDuckDbEngine(
  config: IsolatedDuckDbEngineConfig,
): Promise<DuckDbEngine & Pick<R2SqlDialectEngine, 'run'>> {
  const limits = resolveQueryLimits(config);
  const maxProcessBytes = config.maxProcessBytes ?? 3 * 1024 ** 3;
  const killGraceMs = config.killGraceMs ?? 2_000;
  const { maxProcessBytes: _m, killGraceMs: _k, ...engineConfig } = config;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let child: Promise<ChildProcess> | null = null;
  let watchdog: NodeJS.Timeout | null = null;

  function failAll(reason: QueryEngineErrorReason, message: string, except?: number): void {
    for (const [id, entry] of pending) {
      if (id === except) continue;
      clearTimeout(entry.timer);
      entry.reject(new QueryEngineError(reason, message));
    }
    pending.clear();
  }

  function kill(process: ChildProcess): void {
    if (watchdog) clearInterval(watchdog);
    watchdog = null;
    child = null;
    process.kill('SIGKILL');
  }

  function start(): Promise<ChildProcess> {
    const process = spawn(globalThis.process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const ready = new Promise<ChildProcess>((resolveReady, rejectReady) => {
      process.on('message', (reply: EngineReply) => {
        if (reply.type === 'ready') return resolveReady(process);
        if (reply.type === 'error' && reply.id === -1)
          return rejectReady(new Error(`the DuckDB engine did not start: ${reply.message}`));
        const entry = pending.get(reply.id);
        if (!entry) return;
        pending.delete(reply.id);
        clearTimeout(entry.timer);
        if (reply.type === 'ok') entry.resolve(reply.value);
        else if (reply.type === 'r2sql-error') {
          const { code, message, position } = reply;
          entry.reject(
            new R2SqlError({ code, message, sql: entry.sql, attempts: 0, ...(position ? { position } : {}) }),
          );
        } else entry.reject(new QueryEngineError(reply.reason as QueryEngineErrorReason, reply.message));
      });
      process.on('error', rejectReady);
      process.on('exit', (code, signal) => {
        rejectReady(new Error(`the DuckDB engine exited before it was ready (${signal ?? code})`));
        if (child && pending.size > 0) {
          failAll('crashed', `the query engine stopped (${signal ?? code}) while this query ran; retry it`);
        }
        if (watchdog) clearInterval(watchdog);
        watchdog = null;
        child = null;
      });
    });
    process.send({ type: 'init', config: engineConfig } satisfies EngineRequest);
    watchdog = setInterval(() => {
      if (pending.size === 0 || !process.pid) return;
      const rss = residentBytes(process.pid);
      if (rss > maxProcessBytes) {
        failAll(
          'memory',
          `the query engine grew past ${Math.round(maxProcessBytes / 2 ** 20)} MiB and was stopped; this query (or one running beside it) needs too much memory`,
        );
        kill(process);
      }
    }, 50);
    watchdog.unref();
    return ready;
  }

  async function call<T>(request: EngineRequest & { id: number }): Promise<T> {
    if (closed) throw new QueryEngineError('failed', 'the DuckDB engine is closed');
    child ??= start();
    const running = child;
    let process: ChildProcess;
    try {
      process = await running;
    } catch (cause) {
      if (child === running) child = null;
      throw cause;
    }
    return new Promise<T>((resolveCall, rejectCall) => {
      const timer = setTimeout(() => {
        pending.delete(request.id);
        rejectCall(
          new QueryEngineError(
            'timeout',
            `the query ran longer than ${limits.timeoutMs} ms and could not be interrupted; it was stopped`,
          ),
        );
        failAll('crashed', 'the query engine was restarted to stop another query; retry this one');
        kill(process);
      }, limits.timeoutMs + killGraceMs);
      pending.set(request.id, {
        sql: 'sql' in request ? request.sql : '',
        resolve: resolveCall as (value: unknown) => void,
        reject: rejectCall,
        timer,
      });
      process.send(request, undefined, undefined, (error) => {
        if (!error) return;
        pending.delete(request.id);
        clearTimeout(timer);
        rejectCall(new QueryEngineError('crashed', `the query engine is gone (${error.message}); retry`));
      });
    });
  }

  child = start();
  await child;

  return {
    limits,
    query<Row>(text: string): Promise<QueryResult<Row>> {
      return call<QueryResult<Row>>({ type: 'query', id: nextId++, sql: text });
    },
    run<Row>(text: string): Promise<R2SqlRun<Row>> {
      return call<R2SqlRun<Row>>({ type: 'run', id: nextId++, sql: text });
    },
    tableFiles(table) {
      return call<string[]>({ type: 'tableFiles', id: nextId++, table });
    },
    async trusted(statement): Promise<DuckDbReaderLike> {
      const value = await call<{ names: string[]; types: string[]; rows: Record<string, unknown>[] }>({
        type: 'trusted',
        id: nextId++,
        sql: statement.text,
      });
      return {
        columnNames: () => value.names,
        columnTypes: () => value.types,
        getRowObjectsJson: () => value.rows,
      };
    },
    async close() {
      closed = true;
      failAll('failed', 'the DuckDB engine was closed');
      const running = child;
      if (!running) return;
      const process = await running.catch(() => null);
      if (!process) return;
      const exited = new Promise<void>((done) => process.once('exit', () => done()));
      if (watchdog) clearInterval(watchdog);
      process.disconnect();
      await Promise.race([exited, new Promise((done) => setTimeout(done, 2_000).unref())]);
      if (process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
    },
  };
}
