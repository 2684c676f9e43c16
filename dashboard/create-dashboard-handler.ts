import {
  ASSET_PREFIX,
  type DashboardConfig,
  type DashboardHandler,
  type DashboardManifest,
} from './dashboard-config.ts';
import { pageHtml } from './page-html.ts';

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  wasm: 'application/wasm',
  json: 'application/json',
  map: 'application/json',
};

/**
 * The page may reach nothing but its own origin: scripts, workers, wasm and fetches are `'self'`
 * only ('wasm-unsafe-eval' lets DuckDB-Wasm compile its module), no inline script, no framing.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

const errorJson = (status: number, code: string, message: string): Response =>
  Response.json({ error: { code, message } }, { status, headers: SECURITY_HEADERS });

async function readManifest(config: DashboardConfig): Promise<DashboardManifest> {
  const response = await config.assets.fetch(new Request('https://assets.invalid/manifest.json'));
  if (!response.ok)
    throw new Error(
      `the dashboard assets have no manifest.json (${response.status}): run npm run build:dashboard`,
    );
  return (await response.json()) as DashboardManifest;
}

/** A wasm kept gzip-compressed (it is larger than a static asset may be): sent as is, or inflated. */
async function compressedAsset(config: DashboardConfig, name: string, request: Request): Promise<Response> {
  const stored = await config.assets.fetch(new Request(`https://assets.invalid/${name}.gz`));
  if (!stored.ok || !stored.body) return errorJson(404, 'not_found', `no dashboard asset ${name}`);
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES.wasm!,
    'cache-control': 'public, max-age=31536000, immutable',
    vary: 'accept-encoding',
  };
  if (!/\bgzip\b/.test(request.headers.get('accept-encoding') ?? '')) {
    const body = stored.body.pipeThrough(new DecompressionStream('gzip'));
    return new Response(body, { headers });
  }
  headers['content-encoding'] = 'gzip';
  // Workers would compress the body again unless told it already is encoded.
  return new Response(stored.body, { headers, encodeBody: 'manual' } as ResponseInit);
}

async function asset(config: DashboardConfig, manifest: DashboardManifest, name: string, request: Request) {
  if (!NAME.test(name) || name === 'manifest.json')
    return errorJson(404, 'not_found', `no dashboard asset ${name.slice(0, 100)}`);
  if (name === manifest.duckdbWasm) return compressedAsset(config, name, request);
  const stored = await config.assets.fetch(new Request(`https://assets.invalid/${name}`));
  if (!stored.ok) {
    await stored.body?.cancel();
    return errorJson(404, 'not_found', `no dashboard asset ${name}`);
  }
  const extension = name.slice(name.lastIndexOf('.') + 1);
  return new Response(stored.body, {
    headers: {
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      // Built names carry a content hash (DuckDB's carry the pinned version), so they never change.
      'cache-control': 'public, max-age=31536000, immutable',
    },
  });
}

/**
 * Whether a path is the dashboard's: the page (`/`, `/dashboard`) or an asset under `/dashboard/assets/`.
 *
 * @example
 * ```ts
 * import { isDashboardPath } from './create-dashboard-handler.ts';
 * isDashboardPath('/dashboard/assets/app-X.js'); // true
 * ```
 */
export const isDashboardPath = (path: string): boolean =>
  path === '/' || path === '/dashboard' || path === '/dashboard/' || path.startsWith(ASSET_PREFIX);

/**
 * The dashboard as a fetch handler, Workers-safe: `GET /` (or `/dashboard`) answers the page, `GET
 * /dashboard/assets/<name>` each built asset — the page's script and stylesheet, uPlot inside it,
 * DuckDB-Wasm's worker and wasm — from `config.assets`, so the page needs no network beyond this
 * origin (its Content-Security-Policy allows nothing else). The page calls only the query API at
 * `apiBase` with the user's token, and the audit health report when `auditHealthUrl` is set. Other
 * methods answer 405, unknown assets 404, both as `{"error": {"code", "message"}}`.
 *
 * @example
 * ```ts
 * import { createDashboardHandler } from './create-dashboard-handler.ts';
 * const dashboard = createDashboardHandler({ assets: env.ASSETS, apiBase: '/api', auditHealthUrl: '/audit/health' });
 * app.get('/', (c) => dashboard(c.req.raw));
 * ```
 */
export function createDashboardHandler(config: DashboardConfig): DashboardHandler {
  let manifest: Promise<DashboardManifest> | null = null;
  const verifyPageEvents = config.verifyPageEvents ?? 10_000;
  if (!Number.isInteger(verifyPageEvents) || verifyPageEvents < 1 || verifyPageEvents > 100_000)
    throw new RangeError(`verifyPageEvents must be an integer from 1 to 100000, not ${verifyPageEvents}`);
  const settings = {
    apiBase: config.apiBase ?? '/api',
    auditHealthUrl: config.auditHealthUrl ?? null,
    verifyPageEvents,
  };
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (!isDashboardPath(path))
      return errorJson(404, 'not_found', `no dashboard route ${path.slice(0, 200)}`);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return errorJson(405, 'method_not_allowed', `${path.slice(0, 200)} takes GET`);
    manifest ??= readManifest(config);
    manifest.catch(() => {
      manifest = null;
    });
    let built: DashboardManifest;
    try {
      built = await manifest;
    } catch (error) {
      return errorJson(503, 'assets_missing', (error as Error).message);
    }
    if (path.startsWith(ASSET_PREFIX)) return asset(config, built, path.slice(ASSET_PREFIX.length), request);
    const html = pageHtml(config.title ?? 'dotdo analytics', {
      ...settings,
      assets: built,
      assetBase: ASSET_PREFIX,
    });
    return new Response(html, {
      headers: {
        ...SECURITY_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
      },
    });
  };
}
