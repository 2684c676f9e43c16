import { createDashboardHandler, type DashboardHandler } from '../index.ts';
import { buildDashboardAssets, memoryAssets } from './build-dashboard-assets.ts';

/** Construction options of {@link createLocalDashboard}. */
export interface LocalDashboardConfig {
  apiBase?: string;
  auditHealthUrl?: string | null;
  /** Events per page of the in-browser check's download (see DashboardConfig). */
  verifyPageEvents?: number;
}

/**
 * The dashboard for a Node server (the local stack): built in memory at the first request (esbuild,
 * about a second; the gzip of DuckDB's wasm is cached under node_modules/.cache), then served from it.
 *
 * @example
 * ```ts
 * import { createLocalDashboard } from './local-dashboard.ts';
 * const dashboard = createLocalDashboard({ apiBase: '/api' });
 * const response = await dashboard(new Request('http://127.0.0.1:8788/'));
 * ```
 */
export function createLocalDashboard(config: LocalDashboardConfig = {}): DashboardHandler {
  let handler: Promise<DashboardHandler> | null = null;
  return async (request) => {
    handler ??= buildDashboardAssets().then(({ files }) =>
      createDashboardHandler({ assets: memoryAssets(files), ...config }),
    );
    handler.catch(() => {
      handler = null;
    });
    return (await handler)(request);
  };
}
