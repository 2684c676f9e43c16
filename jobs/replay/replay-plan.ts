import type { TableMetadata } from '../../lake/iceberg/index.ts';

/** A file a replay copies: where it is read in the store and where it lands under the target. */
export interface ReplayFile {
  /** Key in the source store. */
  key: string;
  /** Path under the target, `/`-separated (checked: it cannot leave the target). */
  path: string;
  /** Exact size, from the listing or the manifest. */
  size?: number;
  /** ETag from the listing, when the source lists. */
  etag?: string;
  /** Row count the table's manifest records for it. */
  records?: number;
}

/** A table of the source and the files its current state is made of. */
export interface ReplayTable {
  /** `r2`: a directory of Parquet files as the r2 sink writes it; `iceberg`: a catalog table. */
  kind: 'r2' | 'iceberg';
  /** `events` for an r2 table, `analytics.events` for a catalog table. */
  name: string;
  /** The table's directory under the target, `/`-separated. */
  dir: string;
  files: ReplayFile[];
  /** A catalog table's current metadata, to re-create the table over the copied files. */
  metadata?: TableMetadata;
}
