/** An object of a store: its key (relative to the store's root), size and ETag when the listing gives them. */
export interface StoredObject {
  key: string;
  size: number;
  etag?: string;
}

/** An object's bytes as a store answers them. */
export interface StoredBody {
  /** The length the server declared, when it did. */
  size?: number;
  etag?: string;
  body: AsyncIterable<Uint8Array>;
}

/** Per-call options of {@link ReplayStore.get}. */
export interface StoreGetOptions {
  signal?: AbortSignal;
}

/**
 * Where a replay reads from: a directory, an S3 bucket prefix (R2's S3 API), or the file route of a
 * catalog. Keys are `/`-separated and relative to the store's root.
 */
export interface ReplayStore {
  /** Where it reads from, for messages. */
  readonly describe: string;
  /** Every object under `prefix` (`''`: all); a store that cannot list throws. */
  list(prefix: string, options?: StoreGetOptions): Promise<StoredObject[]>;
  /** An object's bytes; a missing object is a ReplayError `not_found`. */
  get(key: string, options?: StoreGetOptions): Promise<StoredBody>;
}

/**
 * Reads a whole object into memory (metadata, manifests).
 *
 * @example
 * ```ts
 * import { readAll } from './replay-store.ts';
 * const bytes = await readAll(store, 'events/metadata/v1.metadata.json');
 * ```
 */
export async function readAll(
  store: ReplayStore,
  key: string,
  options: StoreGetOptions & { maxBytes?: number } = {},
): Promise<Uint8Array> {
  const { body } = await store.get(key, options);
  const max = options.maxBytes ?? 256 * 1024 * 1024;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`${key}: larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
