import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parquetMetadata } from 'hyparquet';

/**
 * The MD5 an S3 ETag states, when it is a plain one (a single-part upload): null for multipart ETags
 * (`"…-3"`) and anything else, which say nothing about the bytes.
 *
 * @example
 * ```ts
 * import { md5OfEtag } from './verify-file.ts';
 * md5OfEtag('"d41d8cd98f00b204e9800998ecf8427e"'); // 'd41d8cd98f00b204e9800998ecf8427e'
 * md5OfEtag('"abc-2"'); // null
 * ```
 */
export function md5OfEtag(etag: string | undefined): string | null {
  const match = /^(?:W\/)?"?([0-9a-f]{32})"?$/i.exec(etag ?? '');
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * MD5 of a file on disk, hex.
 *
 * @example
 * ```ts
 * import { md5OfFile } from './verify-file.ts';
 * await md5OfFile('/tmp/lake/events/a.parquet');
 * ```
 */
export async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The row count a Parquet file's footer states, or an error message when the file has no valid footer
 * (truncated, not Parquet). Reads only the footer.
 *
 * @example
 * ```ts
 * import { parquetRowCount } from './verify-file.ts';
 * await parquetRowCount('/tmp/lake/events/a.parquet'); // 100
 * ```
 */
export async function parquetRowCount(path: string): Promise<number | string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 12) return 'too short to be Parquet';
    const tail = Buffer.alloc(8);
    await handle.read(tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== 'PAR1') return 'no Parquet footer (truncated?)';
    const length = tail.readUInt32LE(0);
    if (length + 12 > size) return 'the Parquet footer length is past the start of the file';
    const footer = Buffer.alloc(length + 8);
    await handle.read(footer, 0, length + 8, size - 8 - length);
    try {
      return Number(parquetMetadata(footer).num_rows);
    } catch (cause) {
      return `the Parquet footer does not decode: ${(cause as Error).message}`;
    }
  } finally {
    await handle.close();
  }
}
