export { type CatalogSinkConfig, createCatalogSink } from './catalog-sink.ts';
export { createR2FileSink, type R2FileSinkConfig } from './r2-file-sink.ts';
export type { RolledFile, StreamSink } from './stream-sink.ts';
