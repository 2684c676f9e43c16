/**
 * The dashboard: a Workers-safe handler serving the page and all its assets, which calls only the
 * query API. The build step (Node only) is `dashboard/build/`.
 *
 * @module
 */
export { createDashboardHandler, isDashboardPath } from './create-dashboard-handler.ts';
export {
  ASSET_PREFIX,
  type DashboardAssets,
  type DashboardConfig,
  type DashboardHandler,
  type DashboardManifest,
} from './dashboard-config.ts';
