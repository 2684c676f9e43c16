import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { createR2SqlEngine, isR2SqlError, R2SqlError } from '../../../query/index.ts';
import { eventRows, post, tempDir } from '../fixtures/events.ts';

const TOKEN = 'engine-secret';
let stack: LocalStack;
let remove: () => Promise<void>;

const engineFor = (overrides: Partial<Parameters<typeof createR2SqlEngine>[0]> = {}) =>
  createR2SqlEngine({
    accountId: 'acct123',
    bucket: 'lake',
    token: TOKEN,
    endpoint: stack.url,
    baseDelayMs: 5,
    ...overrides,
  });

async function rejection(promise: Promise<unknown>): Promise<R2SqlError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isR2SqlError(error)) throw new Error(`expected an R2SqlError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  const temp = await tempDir('dotdo-r2sql-engine-');
  remove = temp.remove;
  stack = await startLocalStack({
    dataDir: temp.dir,
    port: 0,
    token: TOKEN,
    pipelines: { rollIntervalMs: 3_600_000 },
  });
  const ingest = await post(`${stack.ingestUrl}/events`, eventRows(1, 50), {
    authorization: `Bearer ${TOKEN}`,
  });
  expect(ingest.status).toBe(200);
  stack.pipelines.roll();
});

afterAll(async () => {
  await stack?.close();
  await remove?.();
});

describe('createR2SqlEngine against the stand-in on a loopback server', () => {
  it('points at Cloudflare by default', () => {
    const engine = createR2SqlEngine({ accountId: 'a1', bucket: 'lake', token: 't' });
    expect(engine.url).toBe('https://api.sql.cloudflarestorage.com/api/v1/accounts/a1/r2-sql/query/lake');
  });

  it('returns schema, rows and metrics', async () => {
    const result = await engineFor().query<{ verb: string; n: number }>(
      'SELECT verb, count(*) AS n FROM analytics.events GROUP BY verb ORDER BY verb',
    );
    expect(result.schema.map((c) => c.name)).toEqual(['verb', 'n']);
    expect(result.rows).toEqual([
      { verb: 'created', n: 16 },
      { verb: 'updated', n: 34 },
    ]);
    expect(result.metrics).toMatchObject({ files_scanned: 1, bytes_scanned: expect.any(Number) });
    expect(result.metrics!.r2_requests_count).toBeGreaterThanOrEqual(2);
  });

  it('runs R2 SQL functions through the stand-in', async () => {
    const { rows } = await engineFor().query(
      "SELECT json_get_str(data, 'name') AS name FROM analytics.events WHERE seq = 7",
    );
    expect(rows).toEqual([{ name: 'Acme 7' }]);
  });

  it('throws 40004 and 40003 as typed errors with the platform message and position, without retrying', async () => {
    const unsupported = await rejection(
      engineFor().query('SELECT id FROM analytics.events LIMIT 5 OFFSET 5'),
    );
    expect(unsupported).toBeInstanceOf(R2SqlError);
    expect(unsupported).toMatchObject({
      code: 40004,
      status: 400,
      attempts: 1,
      position: { line: 1, column: 41 },
    });
    expect(unsupported.message).toMatch(/OFFSET/);
    const syntax = await rejection(engineFor().query('SELEC 1'));
    expect(syntax).toMatchObject({ code: 40003, attempts: 1 });
  });

  it('throws 403 for a wrong token as code 10000', async () => {
    const error = await rejection(engineFor({ token: 'wrong' }).query('SELECT 1'));
    expect(error).toMatchObject({ code: 10000, status: 403, attempts: 1 });
  });

  it('retries 80001 with backoff and succeeds', async () => {
    stack.r2sql.injectFaults([80001, 80001]);
    const delays: number[] = [];
    let last = Date.now();
    const engine = engineFor({
      baseDelayMs: 20,
      random: () => 1,
      fetch: async (input, init) => {
        delays.push(Date.now() - last);
        last = Date.now();
        return fetch(input, init);
      },
    });
    const { rows } = await engine.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    expect(delays).toHaveLength(3);
    expect(delays[1]).toBeGreaterThanOrEqual(18); // 20 ms, then 40 ms: doubling
    expect(delays[2]).toBeGreaterThanOrEqual(38);
  });

  it('gives up on 80001 after maxAttempts, carrying the code and the attempts', async () => {
    stack.r2sql.injectFaults([80001, 80001, 80001]);
    const error = await rejection(engineFor({ maxAttempts: 3 }).query('SELECT 1'));
    expect(error).toMatchObject({ code: 80001, attempts: 3, retryable: true });
  });

  it('times out a slow answer with code timeout', async () => {
    stack.r2sql.injectFaults([{ delayMs: 500 }]);
    const error = await rejection(engineFor({ timeoutMs: 100 }).query('SELECT 1'));
    expect(error).toMatchObject({ code: 'timeout', attempts: 1 });
  });

  it('retries a refused connection, then reports it as network', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await rejection(
      engineFor({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2 }).query('SELECT 1'),
    );
    expect(error).toMatchObject({ code: 'network', attempts: 2 });
  });

  it('reports an answer that is not JSON as malformed_response', async () => {
    const error = await rejection(
      engineFor({ fetch: async () => new Response('<html>bad gateway</html>', { status: 502 }) }).query(
        'SELECT 1',
      ),
    );
    expect(error).toMatchObject({ code: 'malformed_response', status: 502 });
  });
});
