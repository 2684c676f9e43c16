import { type Sink, SinkError } from '../../sink.ts';
import type { HttpSinkConfig } from './http-sink-config.ts';

/**
 * A {@link Sink} that POSTs rows as a JSON array, as Pipelines HTTP ingest and the local stand-in take
 * them. Resolves only on a 2xx; anything else rejects with a {@link SinkError} carrying status and body.
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
  async function post(body: string): Promise<void> {
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
      throw new SinkError(`POST ${config.url} failed: ${(cause as Error).message}`);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '');
      throw new SinkError(
        `POST ${config.url} answered ${response.status}: ${text.slice(0, 500)}`,
        response.status,
        text,
      );
    }
    await response.body?.cancel();
  }
  return {
    async send(rows: Row[]): Promise<void> {
      if (rows.length > 0) await post(JSON.stringify(rows));
    },
    async sendJson(json: string, count: number): Promise<void> {
      if (count > 0) await post(json);
    },
  };
}
