/**
 * The dashboard's build step (Node only; never imported by the handler): bundles the page with
 * esbuild and collects DuckDB-Wasm's worker and wasm, as files for Workers Static Assets or in memory
 * for the local stack.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { DashboardAssets, DashboardManifest } from '../dashboard-config.ts';

const require = createRequire(import.meta.url);
const here = dirname(new URL(import.meta.url).pathname);
const DUCKDB_DIST = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-eh.wasm'));
const DUCKDB_VERSION = (
  JSON.parse(readFileSync(join(DUCKDB_DIST, '../package.json'), 'utf8')) as { version: string }
).version;

/** The built dashboard: every asset by name, and which is which. */
export interface DashboardBuild {
  files: Map<string, Uint8Array>;
  manifest: DashboardManifest;
}

async function bundlePage(): Promise<{ files: Map<string, Uint8Array>; script: string; style: string }> {
  const result = await build({
    entryPoints: { app: join(here, '../page/app.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    outdir: '/out',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    conditions: ['browser'],
    legalComments: 'none',
    logLevel: 'error',
    metafile: true,
  });
  const files = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) files.set(file.path.replace(/^\/out\//, ''), file.contents);
  const names = [...files.keys()];
  const script = names.find((n) => /^app-.*\.js$/.test(n));
  const style = names.find((n) => /^app-.*\.css$/.test(n));
  if (!script || !style)
    throw new Error(`the page bundle lacks its script or stylesheet: ${names.join(', ')}`);
  return { files, script, style };
}

/** DuckDB-Wasm's wasm, gzip-compressed once per version (34 MB raw: above a static asset's 25 MiB). */
async function duckDbWasm(): Promise<Uint8Array> {
  const cache = join(
    here,
    '../../node_modules/.cache/dotdo-dashboard',
    `duckdb-eh-${DUCKDB_VERSION}.wasm.gz`,
  );
  try {
    return new Uint8Array(await readFile(cache));
  } catch {}
  const raw = await readFile(join(DUCKDB_DIST, 'duckdb-eh.wasm'));
  const packed = new Uint8Array(await promisify(gzip)(raw, { level: 6 }));
  await mkdir(dirname(cache), { recursive: true });
  await writeFile(cache, packed);
  return packed;
}

/**
 * Builds the dashboard: the page (TypeScript + CSS, uPlot and the in-browser verifier bundled, the
 * verifier and DuckDB-Wasm's bindings split into a chunk loaded only when that panel opens), DuckDB-Wasm's
 * eh worker, its wasm gzip-compressed (`<name>.gz`), and `manifest.json` naming them.
 *
 * @example
 * ```ts
 * import { buildDashboardAssets } from './build-dashboard-assets.ts';
 * const { files, manifest } = await buildDashboardAssets();
 * ```
 */
export async function buildDashboardAssets(): Promise<DashboardBuild> {
  const [page, wasm, worker] = await Promise.all([
    bundlePage(),
    duckDbWasm(),
    readFile(join(DUCKDB_DIST, 'duckdb-browser-eh.worker.js')),
  ]);
  const manifest: DashboardManifest = {
    script: page.script,
    style: page.style,
    duckdbWorker: `duckdb-browser-eh-${DUCKDB_VERSION}.worker.js`,
    duckdbWasm: `duckdb-eh-${DUCKDB_VERSION}.wasm`,
  };
  const files = new Map(page.files);
  files.set(manifest.duckdbWorker, new Uint8Array(worker));
  files.set(`${manifest.duckdbWasm}.gz`, wasm);
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  return { files, manifest };
}

/**
 * The built files as a {@link DashboardAssets} source (the local stack's; a Worker has `env.ASSETS`).
 *
 * @example
 * ```ts
 * import { buildDashboardAssets, memoryAssets } from './build-dashboard-assets.ts';
 * const assets = memoryAssets((await buildDashboardAssets()).files);
 * ```
 */
export function memoryAssets(files: ReadonlyMap<string, Uint8Array>): DashboardAssets {
  return {
    async fetch(request) {
      const name = decodeURIComponent(new URL(request.url).pathname.slice(1));
      const bytes = files.get(name);
      if (!bytes) return new Response('not found', { status: 404 });
      return new Response(bytes as BodyInit, { headers: { 'content-length': String(bytes.byteLength) } });
    },
  };
}

/**
 * Writes the build into a directory (for `[assets]` in wrangler.toml): `npm run build:dashboard`.
 *
 * @example
 * ```ts
 * import { writeDashboardAssets } from './build-dashboard-assets.ts';
 * await writeDashboardAssets('dashboard/built');
 * ```
 */
export async function writeDashboardAssets(dir: string): Promise<DashboardManifest> {
  const { files, manifest } = await buildDashboardAssets();
  await mkdir(dir, { recursive: true });
  await Promise.all([...files].map(([name, bytes]) => writeFile(join(dir, name), bytes)));
  return manifest;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const dir = process.argv[2] ?? join(here, '../built');
  writeDashboardAssets(dir).then(
    (manifest) => console.log(`dashboard assets in ${dir}: ${Object.values(manifest).join(', ')}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
