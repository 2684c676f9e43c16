export {
  parseR2SqlRequest,
  type R2SqlRequest,
  r2SqlFailure,
} from './parse-r2sql-request.ts';
export { type R2SqlConfig, r2SqlConfig } from './r2sql-config.ts';
export {
  createR2SqlStandIn,
  type R2SqlFault,
  type R2SqlStandIn,
  type R2SqlStats,
} from './r2sql-stand-in.ts';
export { createScanMetrics, type ScanMetrics, type TableScan } from './scan-metrics.ts';
export { createTableFilesResolver, listParquetFiles, type TableFilesResolver } from './table-files.ts';
