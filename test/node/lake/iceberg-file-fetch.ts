import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Makes `globalThis.fetch` serve `file:` URLs from disk (Node's fetch has none), with single-range
 * `Range` support answering 206, as object storage does; other URLs go to the real fetch. Returns the
 * function that restores the original. Readers such as icebird and hyparquet fetch through it.
 *
 * @example
 * ```ts
 * import { installFileFetch } from './iceberg-file-fetch.ts';
 * const restore = installFileFetch();
 * await fetch('file:///etc/hostname');
 * restore();
 * ```
 */
export function installFileFetch(): () => void {
  const original = globalThis.fetch;
  const fileFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file:')) return original(input, init);
    let bytes: Buffer;
    try {
      bytes = await readFile(fileURLToPath(url));
    } catch {
      return new Response(`not found: ${url}`, { status: 404, statusText: 'Not Found' });
    }
    const range = new Headers(init?.headers).get('range');
    const match = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    if (!match) return new Response(new Uint8Array(bytes), { status: 200 });
    const start = Number(match[1]);
    const end = match[2] ? Number(match[2]) + 1 : bytes.length;
    return new Response(new Uint8Array(bytes.subarray(start, end)), {
      status: 206,
      headers: { 'content-range': `bytes ${start}-${end - 1}/${bytes.length}` },
    });
  };
  globalThis.fetch = fileFetch as typeof fetch;
  return () => {
    globalThis.fetch = original;
  };
}
