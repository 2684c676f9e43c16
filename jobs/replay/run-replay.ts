import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { downloadFile } from './download-file.ts';
import { type FinishedFile, type FinishedFiles, openFinishedFiles } from './finished-files.ts';
import { ReplayError } from './replay-error.ts';
import type { ReplayFile, ReplayTable } from './replay-plan.ts';
import type { ReplayProgress } from './replay-progress.ts';
import {
  openReplaySource,
  type OpenSourceOptions,
  parseReplaySource,
  type ReplaySourceSpec,
} from './replay-source.ts';
import type { ReplayStore } from './replay-store.ts';
import { safeRelativeKey } from './safe-path.ts';
import { md5OfFile } from './verify-file.ts';
import { writeLocalTable } from './write-local-table.ts';

/** Construction options of {@link replay}. */
export interface ReplayConfig extends OpenSourceOptions {
  /** A directory, `s3://bucket/prefix`, or an Iceberg REST catalog URI (or a parsed spec). */
  source: string | ReplaySourceSpec;
  /** The local lake to write: `<to>/<table>/…` and `<to>/__r2_data_catalog/<ns>/<table>/`. */
  to: string;
  /** Files fetched at once (default 8). */
  concurrency?: number;
  /** Tries per file (default 3). */
  attempts?: number;
  onProgress?: (progress: ReplayProgress) => void;
  /** Each file as it is finished (fetched and checked, or found intact). */
  onFile?: (file: FinishedFile, fetched: boolean) => void;
}

/** What a replay did. */
export interface ReplayResult {
  tables: { name: string; kind: ReplayTable['kind']; files: number; bytes: number; rows?: number }[];
  /** Files fetched in this run. */
  fetched: number;
  /** Files found intact from an earlier run. */
  skipped: number;
  /** Attempts that failed a check and were fetched again. */
  retried: number;
  /** Files an earlier replay wrote that are no longer part of the source's tables, removed. */
  removed: number;
  bytes: number;
  elapsedMs: number;
}

function targetPath(to: string, path: string): string {
  const full = resolve(to, safeRelativeKey(path));
  if (!full.startsWith(to + sep))
    throw new ReplayError('unsafe_key', 'the file would land outside the target', path);
  return full;
}

// Whether a file an earlier run finished is still intact and still what the source holds.
async function isIntact(to: string, file: ReplayFile, done: FinishedFile | undefined): Promise<boolean> {
  if (!done || done.key !== file.key) return false;
  if (file.size !== undefined && done.size !== file.size) return false;
  if (file.etag && done.etag && file.etag !== done.etag) return false;
  if (file.records !== undefined && done.records !== undefined && done.records !== file.records) return false;
  const path = targetPath(to, file.path);
  if (!existsSync(path) || statSync(path).size !== done.size) return false;
  return (await md5OfFile(path)) === done.md5;
}

// Runs `work` over `items`, `limit` at a time; the first failure stops new work and is thrown once the
// running ones have settled.
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { cause: unknown } | null = null;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (cause) {
        failure ??= { cause };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw (failure as { cause: unknown }).cause;
}

function prune(to: string, finished: FinishedFiles, tables: readonly ReplayTable[]): number {
  const wanted = new Set(tables.flatMap((t) => t.files.map((f) => f.path)));
  let removed = 0;
  for (const entry of finished.entries()) {
    if (wanted.has(entry.path)) continue;
    rmSync(targetPath(to, entry.path), { force: true });
    finished.forget(entry.path);
    removed++;
  }
  return removed;
}

function summarize(table: ReplayTable): ReplayResult['tables'][number] {
  const rows = table.files.every((f) => f.records !== undefined)
    ? table.files.reduce((sum, f) => sum + f.records!, 0)
    : undefined;
  const bytes = table.files.reduce((sum, f) => sum + (f.size ?? 0), 0);
  return {
    name: table.name,
    kind: table.kind,
    files: table.files.length,
    bytes,
    ...(rows !== undefined ? { rows } : {}),
  };
}

async function copyAll(
  config: ReplayConfig,
  to: string,
  store: ReplayStore,
  files: readonly ReplayFile[],
  finished: FinishedFiles,
  progress: ReplayProgress,
): Promise<void> {
  const started = performance.now();
  const tick = () => {
    progress.elapsedMs = performance.now() - started;
    config.onProgress?.({ ...progress });
  };
  await pool(files, config.concurrency ?? 8, async (file) => {
    const done = await downloadFile(store, file, targetPath(to, file.path), {
      attempts: config.attempts,
      signal: config.signal,
      onBytes: (bytes) => {
        progress.bytes += bytes;
        tick();
      },
      onRetry: () => {
        progress.retried++;
      },
    });
    finished.add(done);
    progress.files++;
    tick();
    config.onFile?.(done, true);
  });
}

/**
 * Replays a source into a local lake the DuckDB engine reads: only the live files of each table's
 * current state (a catalog table's current snapshot, never the files a compaction replaced), fetched
 * in parallel, each checked (size, ETag, row count), resumable (`<to>/.replay/finished.jsonl` records
 * finished files; an intact one is not fetched again, a cut-short or altered one is). Catalog tables
 * get local metadata over the copied files. Nothing is written outside `to`.
 *
 * @example
 * ```ts
 * import { replay } from './run-replay.ts';
 * const result = await replay({ source: 's3://lake/', to: '/tmp/lake', credentials: credentialsFromEnv(process.env) });
 * console.log(result.fetched, result.skipped);
 * ```
 */
export async function replay(config: ReplayConfig): Promise<ReplayResult> {
  const started = performance.now();
  const to = resolve(config.to);
  if (existsSync(to) && !statSync(to).isDirectory())
    throw new ReplayError('invalid_target', 'not a directory', to);
  const spec = typeof config.source === 'string' ? parseReplaySource(config.source) : config.source;
  if (
    spec.kind === 'dir' &&
    (spec.dir === to || to.startsWith(spec.dir + sep) || spec.dir.startsWith(to + sep))
  ) {
    throw new ReplayError('invalid_target', 'the target may not be the source, inside it, or around it', to);
  }
  const { store, tables } = await openReplaySource(spec, config);
  const files = tables.flatMap((t) => t.files);
  for (const file of files) targetPath(to, file.path);
  mkdirSync(to, { recursive: true });
  const finished = openFinishedFiles(to);
  const todo: ReplayFile[] = [];
  const progress: ReplayProgress = {
    files: 0,
    totalFiles: files.length,
    bytes: 0,
    totalBytes: files.reduce((sum, f) => sum + (f.size ?? 0), 0),
    skipped: 0,
    retried: 0,
    elapsedMs: 0,
  };
  for (const file of files) {
    const done = finished.get(file.path);
    if (await isIntact(to, file, done)) {
      progress.files++;
      progress.skipped++;
      progress.bytes += done!.size;
      config.onFile?.(done!, false);
    } else todo.push(file);
  }
  await copyAll(config, to, store, todo, finished, progress);
  for (const table of tables) {
    if (table.kind !== 'iceberg' || !table.metadata) continue;
    const local = table.files.map((f) => {
      const done = finished.get(f.path)!;
      return { path: targetPath(to, f.path), records: f.records ?? done.records ?? 0, size: done.size };
    });
    writeLocalTable(join(to, ...table.dir.split('/')), table.metadata, local);
  }
  const removed = prune(to, finished, tables);
  finished.compact();
  return {
    tables: tables.map(summarize),
    fetched: todo.length,
    skipped: progress.skipped,
    retried: progress.retried,
    removed,
    bytes: progress.bytes,
    elapsedMs: performance.now() - started,
  };
}
