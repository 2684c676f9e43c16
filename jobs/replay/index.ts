/**
 * Replay: copies an R2 lake (a directory, R2's S3 API, or R2 Data Catalog over the Iceberg REST API)
 * into a local lake the DuckDB engine reads, live files only, checked and resumable. Node only.
 *
 * @module
 */
export { type CatalogSource, type CatalogSourceConfig, openCatalogSource } from './catalog-source.ts';
export { createDirStore } from './dir-store.ts';
export { type DownloadOptions, downloadFile } from './download-file.ts';
export { type FinishedFile, type FinishedFiles, openFinishedFiles } from './finished-files.ts';
export { type CatalogTableRef, liveFiles, relativeToTable } from './live-files.ts';
export { planBucket } from './plan-bucket.ts';
export { isReplayError, ReplayError, type ReplayErrorCode } from './replay-error.ts';
export type { ReplayFile, ReplayTable } from './replay-plan.ts';
export {
  createProgressReporter,
  formatBytes,
  formatProgress,
  type ProgressReporter,
  type ReplayProgress,
} from './replay-progress.ts';
export {
  credentialsFromEnv,
  type OpenSourceOptions,
  openReplaySource,
  parseReplaySource,
  type ReplayCredentials,
  type ReplaySourceSpec,
} from './replay-source.ts';
export { readAll, type ReplayStore, type StoredBody, type StoredObject } from './replay-store.ts';
export { type ReplayConfig, type ReplayResult, replay } from './run-replay.ts';
export { createS3Store, parseListObjectsV2, type S3StoreConfig } from './s3-store.ts';
export { safeRelativeKey } from './safe-path.ts';
export { type FetchLike, timedFetch } from './timed-fetch.ts';
export { md5OfEtag, md5OfFile, parquetRowCount } from './verify-file.ts';
export { writeLocalTable } from './write-local-table.ts';
