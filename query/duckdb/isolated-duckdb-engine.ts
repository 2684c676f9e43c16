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
import type { TableScanPlan } from './prune-table-files.ts';
import { QueryEngineError, type QueryEngineErrorReason } from '../query-engine-error.ts';

/** Construction options of {@link createIsolatedDuckDbEngine}. */
export interface IsolatedDuckDbEngineConfig extends Omit<DuckDbEngineConfig, 'tables'> {
  /** The engine process is killed when its resident memory passes this (default 3 GiB). */
  maxProcessBytes?: number;
  /** How long past `timeoutMs` a query may go unanswered before the process is killed (default 2 s). */
  killGraceMs?: number;
}

interface EngineProcess {
  process: ChildProcess;
  /** Settles once the engine in the process is open. */
  ready: Promise<void>;
  /** Requests sent to this process and not answered yet. */
  pending: Map<number, Pending>;
  watchdog: NodeJS.Timeout;
}

interface Pending {
  sql: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'duckdb-engine-main.ts');

/**
 * How the engine process starts: the sources through tsx, or the file `DOTDO_DUCKDB_ENGINE_ENTRY`
 * names, a prebuilt bundle of that same entry (the node tests build one per run: it starts in under a
 * second, the sources through tsx in about two and a half).
 */
function engineArgs(): string[] {
  const bundle = globalThis.process.env.DOTDO_DUCKDB_ENGINE_ENTRY;
  return bundle ? [bundle] : ['--import', 'tsx', MAIN];
}
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
  let nextId = 1;
  let closed = false;
  let current: EngineProcess | null = null;

  function settle(engine: EngineProcess, reply: EngineReply): void {
    if (reply.type === 'ready') return;
    const entry = engine.pending.get(reply.id);
    if (!entry) return;
    engine.pending.delete(reply.id);
    clearTimeout(entry.timer);
    if (reply.type === 'ok') entry.resolve(reply.value);
    else if (reply.type === 'r2sql-error') {
      const { code, message, position } = reply;
      const at = position ? { position } : {};
      entry.reject(new R2SqlError({ code, message, sql: entry.sql, attempts: 0, ...at }));
    } else entry.reject(new QueryEngineError(reply.reason as QueryEngineErrorReason, reply.message));
  }

  /** Ends a process and fails what it still owed; a process stopped on purpose is replaced at once. */
  function retire(engine: EngineProcess, reason: QueryEngineErrorReason, message: string, restart: boolean) {
    clearInterval(engine.watchdog);
    for (const entry of engine.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(new QueryEngineError(reason, message));
    }
    engine.pending.clear();
    engine.process.kill('SIGKILL');
    if (current === engine) current = restart && !closed ? start() : null;
  }

  function start(): EngineProcess {
    const process = spawn(globalThis.process.execPath, engineArgs(), {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const engine: EngineProcess = { process, pending: new Map(), ready: null!, watchdog: null! };
    engine.ready = new Promise<void>((resolveReady, rejectReady) => {
      process.on('message', (reply: EngineReply) => {
        if (reply.type === 'ready') resolveReady();
        else if (reply.type === 'error' && reply.id === -1)
          rejectReady(new Error(`the DuckDB engine did not start: ${reply.message}`));
        else settle(engine, reply);
      });
      process.on('error', rejectReady);
      process.on('exit', (code, signal) => {
        rejectReady(new Error(`the DuckDB engine exited before it was ready (${signal ?? code})`));
        retire(
          engine,
          'crashed',
          `the query engine stopped (${signal ?? code}) while this query ran; retry it`,
          false,
        );
      });
    });
    // Nobody may be waiting yet; a start that fails is reported to the next caller instead.
    engine.ready.catch(() => {});
    process.send(
      { type: 'init', config: engineConfig } satisfies EngineRequest,
      undefined,
      undefined,
      () => {},
    );
    engine.watchdog = setInterval(() => {
      if (engine.pending.size === 0 || !process.pid) return;
      if (residentBytes(process.pid) > maxProcessBytes) {
        const mib = Math.round(maxProcessBytes / 2 ** 20);
        const message = `the query engine grew past ${mib} MiB and was stopped; this query (or one running beside it) needs too much memory`;
        retire(engine, 'memory', message, true);
      }
    }, 50);
    engine.watchdog.unref();
    return engine;
  }

  async function call<T>(request: EngineRequest & { id: number }): Promise<T> {
    if (closed) throw new QueryEngineError('failed', 'the DuckDB engine is closed');
    current ??= start();
    const engine = current;
    try {
      await engine.ready;
    } catch (cause) {
      retire(engine, 'failed', (cause as Error).message, false);
      throw cause;
    }
    return new Promise<T>((resolveCall, rejectCall) => {
      const timer = setTimeout(() => {
        engine.pending.delete(request.id);
        const ms = limits.timeoutMs;
        rejectCall(
          new QueryEngineError(
            'timeout',
            `the query ran longer than ${ms} ms and could not be interrupted; it was stopped`,
          ),
        );
        retire(
          engine,
          'crashed',
          'the query engine was restarted to stop another query; retry this one',
          true,
        );
      }, limits.timeoutMs + killGraceMs);
      engine.pending.set(request.id, {
        sql: 'sql' in request ? request.sql : '',
        resolve: resolveCall as (value: unknown) => void,
        reject: rejectCall,
        timer,
      });
      engine.process.send(request, undefined, undefined, (error) => {
        if (!error || !engine.pending.delete(request.id)) return;
        clearTimeout(timer);
        rejectCall(new QueryEngineError('crashed', `the query engine is gone (${error.message}); retry`));
      });
    });
  }

  const first = start();
  current = first;
  await first.ready.catch((cause: Error) => {
    retire(first, 'failed', cause.message, false);
    throw cause;
  });

  return {
    limits,
    // Each statement runs whole in the child's engine, which reads one snapshot per statement.
    readsOneSnapshot: true,
    query<Row>(text: string): Promise<QueryResult<Row>> {
      return call<QueryResult<Row>>({ type: 'query', id: nextId++, sql: text });
    },
    run<Row>(text: string): Promise<R2SqlRun<Row>> {
      return call<R2SqlRun<Row>>({ type: 'run', id: nextId++, sql: text });
    },
    tableFiles(table) {
      return call<string[]>({ type: 'tableFiles', id: nextId++, table });
    },
    tables() {
      return call<{ namespace: string; table: string }[]>({ type: 'tables', id: nextId++ });
    },
    planScans(requests) {
      return call<(TableScanPlan | null)[]>({
        type: 'planScans',
        id: nextId++,
        requests: requests.map((r) => ({ ...r })),
      });
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
      const engine = current;
      current = null;
      if (!engine) return;
      const exited = new Promise<void>((done) => engine.process.once('exit', () => done()));
      clearInterval(engine.watchdog);
      if (engine.process.connected) engine.process.disconnect();
      await Promise.race([exited, new Promise((done) => setTimeout(done, 2_000).unref())]);
      retire(engine, 'failed', 'the DuckDB engine was closed', false);
    },
  };
}
