/**
 * The local R2 Data Catalog (Node only): the Iceberg REST Catalog API's read side over the stand-in's
 * catalog tables, and an S3-like file route so clients can fetch what the metadata names.
 *
 * @module
 */
export { bucketDir, bucketFile } from './bucket-paths.ts';
export { type CatalogConfig, catalogConfig } from './catalog-config.ts';
export { icebergError } from './catalog-errors.ts';
export { type CatalogRequest, type CatalogStandIn, createCatalogStandIn } from './catalog-stand-in.ts';
export {
  type BucketFileConfig,
  type BucketFileHandler,
  createBucketFileHandler,
} from './serve-bucket-file.ts';
