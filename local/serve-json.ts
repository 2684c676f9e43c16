import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorResponse, type StandInResponse } from './stand-in-response.ts';

/**
 * Reads a request body up to `limit` bytes: its text, or null when it is larger (the rest is read
 * into nothing, so the answer reaches a client still sending; one that keeps sending far past the
 * limit loses the connection).
 *
 * @example
 * ```ts
 * import { readBody } from './serve-json.ts';
 * const text = await readBody(request, 1024 * 1024); // null: over the limit
 * ```
 */
export function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const discard = () => {
      let discarded = 0;
      request.removeAllListeners('data');
      request.on('data', (chunk: Buffer) => {
        discarded += chunk.length;
        if (discarded > 16 * limit) request.destroy();
      });
      resolve(null);
    };
    if (declared > limit) {
      discard();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) discard();
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Answers JSON. An answer that cannot be encoded (too large, a BigInt) or carries a status HTTP does
 * not have becomes a structured 500; a response already gone is left alone.
 *
 * @example
 * ```ts
 * import { reply } from './serve-json.ts';
 * reply(response, { status: 200, body: { ok: true } });
 * ```
 */
export function reply(response: ServerResponse, answer: StandInResponse): void {
  if (response.headersSent || response.destroyed) return;
  let status =
    Number.isInteger(answer.status) && answer.status >= 200 && answer.status <= 599 ? answer.status : 500;
  let text: string;
  try {
    text = JSON.stringify(answer.body);
  } catch (cause) {
    status = 500;
    const message = `the answer could not be encoded: ${String(cause).slice(0, 200)}`;
    text = JSON.stringify(errorResponse(500, 'internal', message).body);
  }
  try {
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  } catch {
    response.destroy();
  }
}

/**
 * Decodes one path segment; null for broken percent-encoding (never a thrown URIError).
 *
 * @example
 * ```ts
 * import { decodeSegment } from './serve-json.ts';
 * decodeSegment('%zz'); // null
 * ```
 */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
