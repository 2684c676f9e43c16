import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { LocalStack } from '../../../local/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { eventFixture, postJson } from '../helpers.ts';

/** Ingests `count` events from `from` and rolls them into one file. */
export async function ingestAndRoll(
  stack: LocalStack,
  from: number,
  count: number,
  token?: string,
): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => eventFixture(from + i));
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const answer = await postJson(`${stack.ingestUrl}/events`, rows, headers);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  await stack.pipelines.rollAsync();
}

export const SUMMARY = `SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(seq) AS seqs, min(ts) AS first_ts,
  max(ts) AS last_ts, sum(duration_ms) AS ms FROM analytics.events`;

/** Runs `sql` with the DuckDB engine over a lake directory. */
export async function queryLake(lake: string, sql: string): Promise<Record<string, unknown>[]> {
  const engine = await createDuckDbEngine({ lake });
  try {
    return (await engine.query(sql)).rows;
  } finally {
    await engine.close();
  }
}

/** A loopback HTTP server around a handler; `url` and `close`. */
export async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
