import { ReplayError } from './replay-error.ts';

/** The fetch a store calls: `globalThis.fetch`, aws4fetch's signed fetch, or one adding a bearer token. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Per-call options of {@link timedFetch}. */
export interface TimedFetchOptions {
  /** Abort when nothing arrives for this long: no headers, or no body bytes (default 30 s). */
  idleMs?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** A response whose body is read with the same idle timeout. */
export interface TimedResponse {
  response: Response;
  body: AsyncIterable<Uint8Array>;
  /** Stops the idle timer when the body will not be read (read `response` itself then). */
  close(): void;
}

/**
 * Fetches `url` and reads its body with an idle timeout: a server that stalls (before the headers or in
 * the middle of the body) fails with a ReplayError `timeout` naming the URL, instead of hanging.
 *
 * @example
 * ```ts
 * import { timedFetch } from './timed-fetch.ts';
 * const { response, body } = await timedFetch(fetch, 'http://127.0.0.1:9000/lake/a.parquet', { idleMs: 5_000 });
 * for await (const chunk of body) console.log(chunk.byteLength);
 * ```
 */
export async function timedFetch(
  fetchLike: FetchLike,
  url: string,
  options: TimedFetchOptions = {},
): Promise<TimedResponse> {
  const idleMs = options.idleMs ?? 30_000;
  const controller = new AbortController();
  const outer = options.signal;
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  outer?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = performance.now();
  // One timer, re-armed only when it fires early: activity just moves `last` (cheap per chunk).
  const check = () => {
    const idle = performance.now() - last;
    if (idle >= idleMs) {
      timedOut = true;
      controller.abort();
    } else timer = setTimeout(check, idleMs - idle);
  };
  const arm = () => {
    last = performance.now();
    timer ??= setTimeout(check, idleMs);
  };
  const done = () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  };
  const fail = (cause: unknown): never => {
    done();
    if (timedOut) {
      throw new ReplayError('timeout', `no data for ${idleMs} ms: the server stalled`, url);
    }
    if (outer?.aborted) throw outer.reason ?? cause;
    throw new ReplayError('source_failed', `request failed: ${(cause as Error)?.message ?? cause}`, url);
  };
  arm();
  let response: Response;
  try {
    response = await fetchLike(url, { headers: options.headers, signal: controller.signal });
  } catch (cause) {
    return fail(cause);
  }
  async function* body(): AsyncGenerator<Uint8Array> {
    const reader = response.body?.getReader();
    if (!reader) {
      done();
      return;
    }
    try {
      for (;;) {
        arm();
        const { value, done: end } = await reader.read();
        if (end) break;
        yield value;
      }
    } catch (cause) {
      fail(cause);
    } finally {
      done();
      reader.cancel().catch(() => {});
    }
  }
  return { response, body: body(), close: done };
}

/**
 * The ReplayError an HTTP failure status means (401/403 unauthorized, 404 not_found, else source_failed),
 * with the first bytes of the answer.
 *
 * @example
 * ```ts
 * import { statusError } from './timed-fetch.ts';
 * throw await statusError(timed, 'http://127.0.0.1:9000/lake?list-type=2');
 * ```
 */
export async function statusError(timed: TimedResponse, where: string): Promise<ReplayError> {
  const { response } = timed;
  const text = (await response.text().catch(() => '')).slice(0, 300);
  timed.close();
  const code =
    response.status === 401 || response.status === 403
      ? 'unauthorized'
      : response.status === 404
        ? 'not_found'
        : 'source_failed';
  const hint =
    code === 'unauthorized'
      ? ' (check the credentials: R2_ACCESS_KEY_ID/R2_SECRET_ACCESS_KEY or the token)'
      : '';
  return new ReplayError(code, `HTTP ${response.status}${hint}${text ? `: ${text}` : ''}`, where);
}
