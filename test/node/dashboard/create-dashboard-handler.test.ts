import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { memoryAssets } from '../../../dashboard/build/build-dashboard-assets.ts';
import { createDashboardHandler, type DashboardManifest } from '../../../dashboard/index.ts';

// The handler over a small in-memory build (the real build is exercised by the browser test).
const manifest: DashboardManifest = {
  script: 'app-ABC.js',
  style: 'app-ABC.css',
  duckdbWorker: 'duckdb-browser-eh-1.32.0.worker.js',
  duckdbWasm: 'duckdb-eh-1.32.0.wasm',
};
const wasm = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 2, 3]);
const encode = (text: string) => new TextEncoder().encode(text);
const files = new Map<string, Uint8Array>([
  ['manifest.json', encode(JSON.stringify(manifest))],
  ['app-ABC.js', encode('console.log("page")')],
  ['app-ABC.css', encode('body{}')],
  [`${manifest.duckdbWasm}.gz`, new Uint8Array(gzipSync(wasm))],
]);
const dashboard = createDashboardHandler({
  assets: memoryAssets(files),
  apiBase: '/api',
  auditHealthUrl: '/audit/health',
});
const get = (path: string, init?: RequestInit) => dashboard(new Request(`http://dash.test${path}`, init));

describe('createDashboardHandler', () => {
  it('answers the page with its settings inert and a policy that allows nothing off this origin', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/dashboard/assets/app-ABC.js">');
    const settings = JSON.parse(
      /<script type="application\/json" id="dashboard-settings">(.*?)<\/script>/.exec(html)![1]!,
    );
    expect(settings).toMatchObject({ apiBase: '/api', auditHealthUrl: '/audit/health', assets: manifest });
  });

  it('serves assets with their type, and DuckDB’s wasm gzip-encoded or inflated by what the client accepts', async () => {
    const script = await get('/dashboard/assets/app-ABC.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(await script.text()).toBe('console.log("page")');
    const packed = await get(`/dashboard/assets/${manifest.duckdbWasm}`, {
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(packed.headers.get('content-encoding')).toBe('gzip');
    expect(packed.headers.get('content-type')).toBe('application/wasm');
    const plain = await get(`/dashboard/assets/${manifest.duckdbWasm}`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(wasm);
  });

  it('refuses what is not an asset, other methods and hostile names with a JSON error', async () => {
    for (const path of [
      '/dashboard/assets/nope.js',
      '/dashboard/assets/manifest.json',
      '/dashboard/assets/..%2F..%2Fpackage.json',
      '/dashboard/assets/a/b.js',
      '/elsewhere',
    ]) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    const post = await get('/', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('says how to build the assets when there are none', async () => {
    const bare = createDashboardHandler({ assets: memoryAssets(new Map()) });
    const response = await bare(new Request('http://dash.test/'));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'npm run build:dashboard',
    );
  });

  it("writes the check's page size into the page, and refuses one out of range", async () => {
    const html = await (await dashboard(new Request('http://dash.test/'))).text();
    const settings = JSON.parse(/id="dashboard-settings">(.*?)<\/script>/s.exec(html)![1]!);
    expect(settings.verifyPageEvents).toBe(10_000);
    for (const bad of [0, 100_001, 2.5, Number.NaN])
      expect(() =>
        createDashboardHandler({ assets: memoryAssets(new Map()), verifyPageEvents: bad }),
      ).toThrow(/verifyPageEvents must be an integer from 1 to 100000/);
  });
});
