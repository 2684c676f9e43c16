/**
 * Once per run of the node tests: bundles the stand-in process (test/node/fixtures/local-stack-main.ts)
 * and its roll worker with esbuild, so each of the many stand-in processes the kill -9 suites start
 * loads one file instead of running every source file through tsx (about a third of the CPU time per
 * start). The same sources: only the module graph of our own code is bundled, packages stay external,
 * and `import.meta.url` keeps naming each source file, so what a module finds beside itself is
 * unchanged. The bundled roll worker entry and the isolated DuckDB engine's entry also serve the
 * stand-ins the tests start in their own processes (`DOTDO_ROLL_WORKER_ENTRY`, read by
 * local/pipelines/roll-worker-client.ts; `DOTDO_DUCKDB_ENGINE_ENTRY`, read by
 * query/duckdb/isolated-duckdb-engine.ts): each start of one loads in about a second instead of three.
 *
 * @module
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled stand-in process entry (`node <file> <dataDir> [port] [sink]`). */
    standInBundle: string;
  }
}

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * Writes the bundle into a fresh folder under node_modules/.cache (packages resolve from there), and
 * removes it after the run.
 *
 * @example
 * ```ts
 * // test/node/vitest.config.ts: globalSetup: ['test/node/global-setup.ts']
 * const file = inject('standInBundle'); // …/node_modules/.cache/dotdo-stand-in-XXXXXX/local-stack-main.mjs
 * ```
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cache = join(ROOT, 'node_modules', '.cache');
  await mkdir(cache, { recursive: true });
  const out = await mkdtemp(join(cache, 'dotdo-stand-in-'));
  // The roll worker's entry without tsx: roll-worker-client.ts starts `./roll-worker-entry.mjs` beside
  // the module that runs it, which in the bundle is this folder.
  const workerEntry = join(out, 'roll-worker-entry.ts');
  await writeFile(
    workerEntry,
    `import { workerData } from 'node:worker_threads';\n` +
      `import { runRollWorker } from ${JSON.stringify(join(ROOT, 'local/pipelines/roll-worker.ts'))};\n` +
      'runRollWorker(workerData);\n',
  );
  await build({
    entryPoints: {
      'local-stack-main': join(ROOT, 'test/node/fixtures/local-stack-main.ts'),
      'roll-worker-entry': workerEntry,
      'duckdb-engine-main': join(ROOT, 'query/duckdb/duckdb-engine-main.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: out,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    plugins: [
      {
        name: 'source-file-urls',
        setup(b) {
          b.onLoad({ filter: /\.(ts|mjs)$/ }, async (args) => {
            const text = await readFile(args.path, 'utf8');
            const beside = args.path.endsWith('/roll-worker-client.ts');
            return {
              contents: beside
                ? text
                : text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
              loader: args.path.endsWith('.ts') ? 'ts' : 'js',
            };
          });
        },
      },
    ],
  });
  project.provide('standInBundle', join(out, 'local-stack-main.mjs'));
  // The roll worker of every stand-in this run starts in a test's own process (and in the processes it
  // spawns, which inherit the environment) loads the same bundled entry too.
  // So does the isolated DuckDB engine process of every R2 SQL stand-in.
  const entries = {
    DOTDO_ROLL_WORKER_ENTRY: join(out, 'roll-worker-entry.mjs'),
    DOTDO_DUCKDB_ENGINE_ENTRY: join(out, 'duckdb-engine-main.mjs'),
  };
  const before = Object.fromEntries(Object.keys(entries).map((name) => [name, process.env[name]]));
  Object.assign(process.env, entries);
  return async () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(out, { recursive: true, force: true });
  };
}
