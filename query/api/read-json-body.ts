import { apiError } from './api-error.ts';

/**
 * A request's JSON body, read up to `maxBytes` (counted as it streams in, whatever Content-Length
 * says): the value, `undefined` for an empty body, or the 400 / 413 answer to give.
 *
 * @example
 * ```ts
 * import { readJsonBody } from './read-json-body.ts';
 * const body = await readJsonBody(request, 64 * 1024);
 * if (body instanceof Response) return body;
 * ```
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = () =>
    apiError(413, { code: 'too_large', message: `the body is over ${maxBytes} bytes`, field: 'body' });
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return tooLarge();
  }
  const reader = request.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return apiError(400, { code: 'malformed_json', message: 'the body is not UTF-8 text', field: 'body' });
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    return apiError(400, {
      code: 'malformed_json',
      message: `the body is not JSON: ${(error as Error).message.slice(0, 200)}`,
      field: 'body',
    });
  }
}
