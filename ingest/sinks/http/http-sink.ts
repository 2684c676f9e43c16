import { type RejectedRecord, type Sink, SinkError } from '../../sink.ts';
import type { HttpSinkConfig } from './http-sink-config.ts';

/** The refusal body of Pipelines-style ingest: `rejected` indices and/or `details` per problem. */
interface RefusalBody {
  error?: unknown;
  code?: unknown;
  rejected?: unknown;
  details?: unknown;
}

const isIndex = (value: unknown, count: number): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) < count;

/**
 * The records a 4xx body names, with a reason each: every index of `rejected` (the stand-in's
 * contract), else every index `details` mentions; reasons come from `details` (`field: message`), or
 * the body's `error`. Empty when the body names none (then the whole send is refused as one).
 */
function rejectedRecords(text: string, count: number): RejectedRecord[] {
  let body: RefusalBody;
  try {
    body = JSON.parse(text) as RefusalBody;
  } catch {
    return [];
  }
  if (typeof body !== 'object' || body === null) return [];
  const reasons = new Map<number, string[]>();
  if (Array.isArray(body.details)) {
    for (const detail of body.details as { index?: unknown; field?: unknown; message?: unknown }[]) {
      if (!isIndex(detail?.index, count)) continue;
      const reason = [detail.field, detail.message].filter((p) => typeof p === 'string').join(': ');
      const list = reasons.get(detail.index) ?? [];
      if (reason) list.push(reason);
      reasons.set(detail.index, list);
    }
  }
  const fallback = typeof body.error === 'string' ? body.error : 'refused by the sink';
  const indices = Array.isArray(body.rejected)
    ? [...new Set(body.rejected.filter((i) => isIndex(i, count)))]
    : [...reasons.keys()];
  return indices
    .sort((a, b) => a - b)
    .map((index) => ({ index, reason: reasons.get(index)?.join('; ') || fallback }));
}

/**
 * A {@link Sink} that POSTs rows as a JSON array, as Pipelines HTTP ingest and the local stand-in take
 * them. Resolves only on a 2xx; anything else rejects with a {@link SinkError} carrying code, status
 * and body. A permanent refusal that names records (`rejected` indices and `details`, as the stand-in
 * answers a schema mismatch) lists them in `rejected`, so the emitter dead-letters only those.
 *
 * @example
 * ```ts
 * import { createHttpSink } from './http-sink.ts';
 * const sink = createHttpSink({ url: 'http://127.0.0.1:8788/streams/events', token: 'dev' });
 * await sink.send([{ id: 'https://x.dev/e/1' }]);
 * ```
 */
export function createHttpSink<Row = Record<string, unknown>>(config: HttpSinkConfig): Sink<Row> {
  const doFetch = config.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  const timeoutMs = config.timeoutMs ?? 30_000;
  async function post(body: string, count: number): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (config.token) headers.authorization = `Bearer ${config.token}`;
    let response: Response;
    try {
      response = await doFetch(config.url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new SinkError(`POST ${config.url} failed: ${(cause as Error).message}`, {
        code: 'network',
        cause,
      });
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const text = await response.text().catch(() => '');
    const status = response.status;
    const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
    const rejected = permanent ? rejectedRecords(text, count) : [];
    throw new SinkError(`POST ${config.url} answered ${status}: ${text.slice(0, 500)}`, {
      status,
      body: text,
      ...(rejected.length > 0 ? { code: 'schema_mismatch' as const, rejected } : {}),
    });
  }
  return {
    async send(rows: Row[]): Promise<void> {
      if (rows.length > 0) await post(JSON.stringify(rows), rows.length);
    },
    async sendJson(json: string, count: number): Promise<void> {
      if (count > 0) await post(json, count);
    },
  };
}
