/**
 * Where the dashboard's built assets come from: anything that answers a GET for an asset name — the
 * Worker's Static Assets binding (`env.ASSETS`), or the in-memory build of {@link buildDashboardAssets}.
 */
export interface DashboardAssets {
  fetch(request: Request): Promise<Response>;
}

/** Construction options of {@link createDashboardHandler}. */
export interface DashboardConfig {
  assets: DashboardAssets;
  /** Where the query API is mounted, as the page calls it (default `/api`). */
  apiBase?: string;
  /** The latest scheduled verify's report (`GET /audit/health` of the example Worker); null: none. */
  auditHealthUrl?: string | null;
  /** The page's title (default `dotdo analytics`). */
  title?: string;
  /**
   * Events per page the in-browser check downloads (`audit_events` pages, followed to the end of the
   * namespace): default 10,000, at most 100,000 (the view's own bound).
   */
  verifyPageEvents?: number;
}

/** The dashboard as a fetch handler: the page at `/`, its assets under `/dashboard/assets/`. */
export type DashboardHandler = (request: Request) => Promise<Response>;

/** The asset names the page refers to, by role (the build's `manifest.json`). */
export interface DashboardManifest {
  /** The page's script (an ES module) and stylesheet. */
  script: string;
  style: string;
  /** DuckDB-Wasm's worker script and its wasm (served gzip-encoded from `<wasm>.gz`). */
  duckdbWorker: string;
  duckdbWasm: string;
}

/** The asset route prefix. */
export const ASSET_PREFIX = '/dashboard/assets/';
