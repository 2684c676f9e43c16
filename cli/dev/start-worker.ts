import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

/** Construction options of {@link startWorker}. */
export interface StartWorkerConfig {
  /** Where the bundle and (when persisting) DO and R2 state go. */
  dataDir: string;
  port: number;
  /** The Pipelines stand-in's ingest base URL, bound as INGEST_URL. */
  ingestUrl: string;
  ingestToken?: string;
  /** Keep DO storage and R2 on disk under dataDir; otherwise in memory. */
  persist: boolean;
  /** The Worker's entry module (default: worker/index.ts). */
  entry?: string;
  /** Durable Object bindings: binding name → class name (default: STARTUP → Startup). */
  durableObjects?: Record<string, string>;
  /** Extra vars. */
  vars?: Record<string, string>;
  /**
   * Bind ROLLUPS and start the example's rollup refresher (its alarm refreshes every
   * `ROLLUPS_INTERVAL_MS`, default 60 s here too): what `npm start` runs.
   */
  refresher?: boolean;
}

/** The running Worker. */
export interface RunningWorker {
  url: string;
  miniflare: Miniflare;
  close(): Promise<void>;
}

/** The refresher the example Worker's `/rollups` routes talk to. */
const REFRESHER = 'default';

/** Starts the example Worker's rollup refresher (schedules its first alarm now; idempotent). */
async function startRefresher(miniflare: Miniflare): Promise<void> {
  const namespace = await miniflare.getDurableObjectNamespace('ROLLUPS');
  const stub = namespace.get(namespace.idFromName(REFRESHER)) as unknown as { start(): Promise<void> };
  await stub.start();
}

const root = new URL('../..', import.meta.url).pathname;

/** The compatibility date wrangler.toml declares. */
export const COMPATIBILITY_DATE = '2026-04-01';

/**
 * Bundles a Worker entry module with esbuild for workerd: `cloudflare:*` and `node:*` stay external,
 * `.wasm` files are copied beside the bundle to be imported as compiled modules.
 *
 * @example
 * ```ts
 * import { bundleWorker } from './start-worker.ts';
 * const scriptPath = await bundleWorker('worker/index.ts', '.data/build');
 * ```
 */
export async function bundleWorker(entry: string, outdir: string): Promise<string> {
  await mkdir(outdir, { recursive: true });
  const scriptPath = join(outdir, 'worker.js');
  await build({
    entryPoints: [entry],
    outfile: scriptPath,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    loader: { '.wasm': 'copy' },
    logLevel: 'error',
  });
  return scriptPath;
}

/**
 * The Miniflare module options for a bundle made by {@link bundleWorker}.
 *
 * @example
 * ```ts
 * import { bundleWorker, workerModules } from './start-worker.ts';
 * new Miniflare({ ...workerModules(await bundleWorker(entry, dir)), compatibilityDate: '2026-04-01' });
 * ```
 */
export function workerModules(scriptPath: string) {
  return {
    modules: true as const,
    modulesRoot: dirname(scriptPath),
    scriptPath,
    modulesRules: [{ type: 'CompiledWasm' as const, include: ['**/*.wasm'] }],
  };
}

/**
 * Bundles worker/index.ts and runs it in workerd through Miniflare, with the bindings wrangler.toml
 * declares — except the Pipelines binding, which Miniflare would discard: the emitter streams to the
 * local Pipelines stand-in through INGEST_URL instead.
 *
 * @example
 * ```ts
 * import { startWorker } from './start-worker.ts';
 * const worker = await startWorker({ dataDir: '.data', port: 8787, ingestUrl: 'http://127.0.0.1:8788/streams', persist: true });
 * ```
 */
export async function startWorker(config: StartWorkerConfig): Promise<RunningWorker> {
  const scriptPath = await bundleWorker(
    config.entry ?? join(root, 'worker/index.ts'),
    join(config.dataDir, 'build'),
  );
  const bindings: Record<string, string> = { INGEST_URL: config.ingestUrl, ...config.vars };
  if (config.ingestToken) bindings.INGEST_TOKEN = config.ingestToken;
  const miniflare = new Miniflare({
    ...workerModules(scriptPath),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: ['nodejs_compat'],
    durableObjects: Object.fromEntries(
      Object.entries({
        ...(config.durableObjects ?? { STARTUP: 'Startup' }),
        ...(config.refresher ? { ROLLUPS: 'Rollups' } : {}),
      }).map(([binding, className]) => [binding, { className, useSQLite: true }]),
    ),
    r2Buckets: { LAKE: 'lake' },
    bindings,
    host: '127.0.0.1',
    port: config.port,
    ...(config.persist
      ? { durableObjectsPersist: join(config.dataDir, 'do'), r2Persist: join(config.dataDir, 'r2-binding') }
      : {}),
  });
  const url = (await miniflare.ready).toString().replace(/\/$/, '');
  if (config.refresher) {
    try {
      await startRefresher(miniflare);
    } catch (error) {
      await miniflare.dispose();
      throw error;
    }
  }
  return { url, miniflare, close: () => miniflare.dispose() };
}
