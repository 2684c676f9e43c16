import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  type AnyRollup,
  backfillRollup,
  bucketChunks,
  bucketStart,
  isoOf,
  WINDOW_US,
} from '../../jobs/materialize/index.ts';
import { createLakeDirSink } from '../../jobs/materialize/lake-dir-sink.ts';
import { createDuckDbEngine } from '../../query/duckdb/index.ts';
import { withR2SqlDialect } from '../../query/index.ts';
import { timestampParam } from '../../views/index.ts';
import type { Command } from '../command.ts';
import { parseFlags, UsageError } from '../parse-flags.ts';
import { createProgressLine } from '../dev/progress-line.ts';

const EXAMPLE_ROLLUPS = new URL('../../worker/order-activity.ts', import.meta.url).href;
const MAX_CHUNKS = 100_000;
const time = (error?: string) =>
  z.string(error ? { error } : undefined).transform((text, ctx) => {
    const parsed = timestampParam().safeParse(/^\d+$/.test(text) ? Number(text) : text);
    if (parsed.success) return parsed.data.getTime() * 1000;
    ctx.addIssue({ code: 'custom', message: `"${text}": ${parsed.error.issues[0]?.message}` });
    return z.NEVER;
  });

const flags = z
  .object({
    view: z
      .string({ error: 'required: the rollup to backfill, NAME or NAME@VERSION' })
      .regex(/^[a-z][a-z0-9_]*(@[1-9]\d*)?$/, 'a rollup name, e.g. order_activity or order_activity@2'),
    from: time('required: the first time recomputed'),
    to: time('required: the time the range ends (excluded)'),
    lake: z.string().min(1).optional(),
    endpoint: z.string().url('an http(s) URL of the Worker, e.g. http://127.0.0.1:8787').optional(),
    chunk: z
      .string()
      .regex(/^[1-9]\d*([mhdw])?$/, 'buckets per chunk (24) or a span (6h, 7d, 1w)')
      .optional(),
    resumeFrom: time().optional(),
    module: z.string().min(1).optional(),
    quiet: z.boolean().default(false),
  })
  .refine((f) => !(f.lake && f.endpoint), { message: 'give --lake or --endpoint, not both', path: ['lake'] })
  .refine((f) => f.lake || f.endpoint, { message: 'give --lake DIR or --endpoint URL', path: ['lake'] })
  .refine((f) => f.from < f.to, { message: 'must be after --from', path: ['to'] })
  .refine((f) => f.resumeFrom === undefined || (f.resumeFrom >= f.from && f.resumeFrom < f.to), {
    message: 'must lie within [--from, --to)',
    path: ['resumeFrom'],
  });
type Flags = z.output<typeof flags>;

const help = `dotdo-analytics backfill --view NAME[@V] --from T --to T (--lake DIR | --endpoint URL) [flags]

Recomputes exactly the buckets of [--from, --to) of a rollup (widened to whole buckets), in chunks,
each a refresh of its own: a reader never sees a chunk half-written, and a chunk written twice is
not counted twice. Progress (chunks done/total, rate, ETA) goes to stderr. A run that stops prints
the --resume-from that finishes it.

  --view NAME[@V]    the rollup (its newest version without @V)
  --from T, --to T   ISO time (2026-11-25T09:00:00Z), date (2026-11-25) or epoch ms; --to excluded
  --lake DIR         a lake on disk (the r2 layout, e.g. .data/demo/r2/lake): read with DuckDB, the
                     refreshes written as Parquet files into DIR/rollups/
  --endpoint URL     a running Worker (the local stack's is http://127.0.0.1:8787): each chunk is a
                     POST /rollups/backfill to its refresher; an admin token from DOTDO_ANALYTICS_TOKEN
  --chunk N|SPAN     buckets per chunk (default 24), or a span of whole buckets: 6h, 7d, 1w
  --resume-from T    start at T (a bucket start within the range): what a stopped run prints
  --module PATH      a module exporting the rollups (default: the example Worker's)
  --quiet            no progress`;

const isRollup = (value: unknown): value is AnyRollup =>
  typeof value === 'object' && value !== null && 'rollup' in value && 'key' in value;

async function rollupOf(f: Flags): Promise<AnyRollup> {
  let url = EXAMPLE_ROLLUPS;
  if (f.module) {
    const path = resolve(f.module);
    if (!existsSync(path)) throw new UsageError(`--module: no file ${f.module}`);
    url = pathToFileURL(path).href;
  }
  const exports = (await import(url)) as Record<string, unknown>;
  const rollups = new Map<string, AnyRollup>();
  for (const value of Object.values(exports))
    for (const item of Array.isArray(value) ? value : [value])
      if (isRollup(item)) rollups.set(item.key, item);
  const [name, version] = f.view.split('@') as [string, string | undefined];
  const versions = [...rollups.values()].filter((r) => r.name === name).sort((a, b) => b.version - a.version);
  const found = version ? versions.find((r) => r.version === Number(version)) : versions[0];
  if (!found)
    throw new UsageError(
      `--view: no rollup ${f.view} (rollups: ${[...rollups.keys()].sort().join(', ') || 'none'})`,
    );
  return found;
}

function chunkBuckets(chunk: string | undefined, rollup: AnyRollup): number {
  if (!chunk) return 24;
  const match = /^(\d+)([mhdw])?$/.exec(chunk)!;
  if (!match[2]) return Number(match[1]);
  const unit = { m: WINDOW_US.minute, h: WINDOW_US.hour, d: WINDOW_US.day, w: WINDOW_US.week }[
    match[2] as 'm'
  ];
  const span = Number(match[1]) * unit;
  const size = WINDOW_US[rollup.rollup.window];
  if (span % size !== 0)
    throw new UsageError(`--chunk: ${chunk} is not a whole number of ${rollup.rollup.window}s`);
  return span / size;
}

type RunChunk = (from: number, to: number) => Promise<number>;

async function endpointRunner(endpoint: string, key: string): Promise<RunChunk> {
  const base = endpoint.replace(/\/+$/, '');
  const token = process.env.DOTDO_ANALYTICS_TOKEN;
  return async (from, to) => {
    let response: Response;
    try {
      response = await fetch(`${base}/rollups/backfill`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ view: key, from, to }),
      });
    } catch (cause) {
      throw new Error(`cannot reach ${base} (${(cause as Error).message}); is the Worker running?`);
    }
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${base}/rollups/backfill answered ${response.status}: ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { rows: number }).rows;
  };
}

async function lakeRunner(lake: string, rollup: AnyRollup, buckets: number) {
  if (!existsSync(lake)) throw new UsageError(`--lake: no directory ${lake}`);
  const engine = withR2SqlDialect(await createDuckDbEngine({ lake }));
  const sink = createLakeDirSink(lake, 'rollups');
  const run: RunChunk = async (from, to) => {
    const chunks = await backfillRollup(rollup, { from, to }, { engine, sink, chunkBuckets: buckets });
    return chunks.reduce((n, c) => n + c.rows, 0);
  };
  return { run, close: () => engine.close() };
}

/** `dotdo-analytics backfill`: a targeted, chunked, resumable recompute of one rollup's range. */
export const command: Command = {
  summary:
    'recompute a range of a rollup (--view NAME[@V] --from T --to T) in chunks, with progress; resumable',
  help,
  async run(argv) {
    const f = parseFlags(argv, flags);
    const rollup = await rollupOf(f);
    const buckets = chunkBuckets(f.chunk, rollup);
    const window = rollup.rollup.window;
    const from = bucketStart(f.resumeFrom ?? f.from, window);
    const chunks = bucketChunks(from, f.to, window, buckets);
    const all = bucketChunks(f.from, f.to, window, buckets).length;
    if (all > MAX_CHUNKS)
      throw new UsageError(
        `--chunk: ${all} chunks is too many (at most ${MAX_CHUNKS}); use a larger --chunk`,
      );
    const lake = f.lake ? await lakeRunner(f.lake, rollup, buckets) : null;
    const run = lake?.run ?? (await endpointRunner(f.endpoint!, rollup.key));
    const progress = createProgressLine(process.stderr, {
      quiet: f.quiet,
      total: all,
      done: all - chunks.length,
    });
    const end = chunks.at(-1)?.[1] ?? from;
    console.log(
      `backfill ${rollup.key}: [${isoOf(from)}, ${isoOf(end)}) in ${chunks.length} chunks of ${buckets} ${window}s`,
    );
    let stop = false;
    const interrupt = () => {
      stop = true;
    };
    process.once('SIGINT', interrupt);
    let rows = 0;
    try {
      for (const [a, b] of chunks) {
        if (stop) throw new Error('interrupted');
        rows += await run(a, b);
        progress.tick(`${rows.toLocaleString('en-US')} rows`);
      }
    } catch (error) {
      progress.end();
      const next = chunks[progress.done - (all - chunks.length)]?.[0] ?? end;
      console.error(`backfill stopped after ${progress.done} of ${all} chunks: ${(error as Error).message}`);
      console.error(`what landed is kept; finish it with: --resume-from ${isoOf(next)}`);
      return 1;
    } finally {
      process.off('SIGINT', interrupt);
      await lake?.close();
    }
    progress.end();
    console.log(
      `backfilled ${rollup.key}: ${all} chunks, ${rows.toLocaleString('en-US')} rows, [${isoOf(bucketStart(f.from, window))}, ${isoOf(end)})`,
    );
    return 0;
  },
};
