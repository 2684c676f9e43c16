import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { dirname } from 'node:path';
import type { FinishedFile } from './finished-files.ts';
import { isReplayError, ReplayError } from './replay-error.ts';
import type { ReplayFile } from './replay-plan.ts';
import type { ReplayStore } from './replay-store.ts';
import { md5OfEtag, parquetRowCount } from './verify-file.ts';

/** Per-call options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Tries per file before the replay fails (default 3); a corrupt or cut-short copy is fetched again. */
  attempts?: number;
  signal?: AbortSignal;
  /** Bytes written, as they arrive (a failed attempt reports its bytes again as negative). */
  onBytes?: (bytes: number) => void;
  /** Each attempt that failed and will be retried, with why. */
  onRetry?: (file: ReplayFile, problem: ReplayError) => void;
}

// Retrying cannot help these: the request is wrong, not the transfer.
const FINAL = new Set(['unauthorized', 'not_found', 'unsafe_key', 'invalid_source']);

async function fetchOnce(
  store: ReplayStore,
  file: ReplayFile,
  part: string,
  options: DownloadOptions,
): Promise<FinishedFile> {
  const answer = await store.get(file.key, { signal: options.signal });
  const hash = createHash('md5');
  // A large buffer lets the network and the disk overlap instead of waiting for every chunk's write.
  const out = createWriteStream(part, { highWaterMark: 1024 * 1024 });
  const written = finished(out);
  written.catch(() => {}); // awaited below; a write error also ends the loop
  let bytes = 0;
  try {
    for await (const chunk of answer.body) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      options.onBytes?.(chunk.byteLength);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.end();
    await written;
  } catch (cause) {
    out.destroy();
    options.onBytes?.(-bytes);
    throw cause;
  }
  const md5 = hash.digest('hex');
  const problem = (message: string) => {
    options.onBytes?.(-bytes);
    return new ReplayError('corrupt_file', message, file.key);
  };
  if (answer.size !== undefined && answer.size !== bytes)
    throw problem(`got ${bytes} bytes of the ${answer.size} the server announced`);
  if (file.size !== undefined && file.size !== bytes)
    throw problem(
      `got ${bytes} bytes; the ${file.records === undefined ? 'listing' : 'manifest'} says ${file.size}`,
    );
  const etag = answer.etag ?? file.etag;
  const stated = md5OfEtag(etag);
  if (stated && stated !== md5) throw problem(`the bytes do not match the ETag ${etag} (MD5 ${md5})`);
  if (file.etag && answer.etag && file.etag !== answer.etag)
    throw problem(`the ETag changed from ${file.etag} to ${answer.etag} while replaying`);
  if (file.records !== undefined) {
    const rows = await parquetRowCount(part);
    if (rows !== file.records) {
      throw problem(
        typeof rows === 'string' ? rows : `holds ${rows} rows; the manifest says ${file.records}`,
      );
    }
  }
  return {
    path: file.path,
    key: file.key,
    size: bytes,
    md5,
    ...(etag ? { etag } : {}),
    ...(file.records !== undefined ? { records: file.records } : {}),
  };
}

/**
 * Copies one file from the store to `target`, checked: the byte count against the size the server
 * announced and the listing or manifest states, the MD5 against a plain ETag, and the Parquet footer's
 * row count against the manifest's. A copy that fails a check (cut short, altered) is fetched again, up
 * to `attempts` times. Bytes go to `<target>.part`, renamed into place only once checked.
 *
 * @example
 * ```ts
 * import { downloadFile } from './download-file.ts';
 * const done = await downloadFile(store, { key: 'events/a.parquet', path: 'events/a.parquet', size: 1234 }, '/tmp/lake/events/a.parquet');
 * done.md5;
 * ```
 */
export async function downloadFile(
  store: ReplayStore,
  file: ReplayFile,
  target: string,
  options: DownloadOptions = {},
): Promise<FinishedFile> {
  const attempts = options.attempts ?? 3;
  const part = `${target}.part`;
  await mkdir(dirname(target), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      const done = await fetchOnce(store, file, part, options);
      await rename(part, target);
      return done;
    } catch (cause) {
      await rm(part, { force: true });
      if (options.signal?.aborted) throw options.signal.reason ?? cause;
      const problem = isReplayError(cause)
        ? cause
        : new ReplayError('source_failed', (cause as Error)?.message ?? String(cause), file.key);
      if (FINAL.has(problem.code)) throw problem;
      if (attempt >= attempts) {
        throw new ReplayError(problem.code, `${problem.message}; gave up after ${attempts} attempts`);
      }
      options.onRetry?.(file, problem);
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}
