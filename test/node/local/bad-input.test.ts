import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { eventRow, eventRows, post, tempDir } from '../fixtures/events.ts';
import { rawRequest } from '../fixtures/raw-http.ts';

const TOKEN = 'ingest-secret';
const auth = { authorization: `Bearer ${TOKEN}` };
let stack: LocalStack;
let dataDir: string;
let remove: () => Promise<void>;
let streamUrl: string;

interface Stats {
  accepted: number;
  rejected: number;
  invalid: number;
  requestsRejected: number;
  buffered: number;
}

async function stats(): Promise<Stats> {
  const response = await fetch(`${stack.url}/_admin/stats`, { headers: auth });
  expect(response.status).toBe(200);
  return ((await response.json()) as Record<string, Stats>).events!;
}

beforeAll(async () => {
  const temp = await tempDir('dotdo-bad-input-');
  dataDir = temp.dir;
  remove = temp.remove;
  stack = await startLocalStack({ dataDir, port: 0, token: TOKEN, pipelines: { rollIntervalMs: 3_600_000 } });
  streamUrl = `${stack.ingestUrl}/events`;
});

afterAll(async () => {
  await stack?.close();
  await remove?.();
});

/** Sends a bad request and checks the answer and that exactly one more request was counted as rejected. */
async function rejected(
  send: () => Promise<{ status: number; body: any }>,
  status: number,
  error: RegExp,
): Promise<{ status: number; body: any }> {
  const before = await stats();
  const answer = await send();
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ success: false, error: expect.stringMatching(error) });
  const after = await stats();
  expect(after.requestsRejected).toBe(before.requestsRejected + 1);
  expect(after.accepted).toBe(before.accepted);
  return answer;
}

describe('Pipelines stand-in: bad input, each a clear error and each counted in /_admin/stats', () => {
  it('accepts a good request (the baseline the others are measured against)', async () => {
    expect((await post(streamUrl, eventRows(1, 3), auth)).status).toBe(200);
    expect(await stats()).toMatchObject({ accepted: 3, buffered: 3, requestsRejected: 0 });
  });

  it('malformed JSON → 400 naming the parse error', async () => {
    await rejected(() => post(streamUrl, '[{"id": ', auth), 400, /malformed JSON/);
  });

  it('a JSON body that is not an array → 400', async () => {
    await rejected(() => post(streamUrl, { id: 'x' }, auth), 400, /JSON array/);
  });

  it('a body over 1 MB → 413', async () => {
    const big = JSON.stringify(Array.from({ length: 2_000 }, (_, i) => eventRow(10_000 + i)));
    expect(big.length).toBeGreaterThan(1024 * 1024);
    await rejected(() => post(streamUrl, big, auth), 413, /over 1048576 bytes/);
  });

  it('a wrong token → 401', async () => {
    await rejected(
      () => post(streamUrl, eventRows(4, 4), { authorization: 'Bearer wrong' }),
      401,
      /invalid bearer token/,
    );
  });

  it('a missing token → 401', async () => {
    await rejected(() => post(streamUrl, eventRows(4, 4)), 401, /missing Authorization/);
  });

  it('schema-invalid records → 400 naming record and field, kept in the rejects file with the reason', async () => {
    const good = eventRow(20);
    const badUrl = { ...eventRow(21), id: 'not a url' };
    const badSeq = { ...eventRow(22), seq: 'seven' };
    const extra = { ...eventRow(23), surprise: true };
    const before = await stats();
    const answer = await rejected(
      () => post(streamUrl, [good, badUrl, badSeq, extra], auth),
      400,
      /3 of 4 records do not match the events schema; none kept/,
    );
    expect(answer.body).toMatchObject({ code: 'schema_mismatch', rejected: [1, 2, 3] });
    expect(answer.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, field: 'id', message: expect.stringMatching(/URL/) }),
        expect.objectContaining({ index: 2, field: 'seq' }),
        expect.objectContaining({ index: 3, field: 'surprise' }),
      ]),
    );
    expect(await stats()).toMatchObject({ rejected: before.rejected + 4, invalid: before.invalid + 3 });
    // One line for the request: each rejected record once, the reasons grouped with their indices.
    const kept = (await readFile(join(dataDir, 'pipelines', 'rejects', 'events.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({
      at: expect.any(String),
      stream: 'events',
      records: 4,
      rejected: 3,
      indices: [[1, 3]],
      rows: [badUrl, badSeq, extra],
    });
    expect(kept[0].reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'id', count: 1, indices: [[1, 1]] }),
        expect.objectContaining({ field: 'seq', count: 1, indices: [[2, 2]] }),
        expect.objectContaining({ field: 'surprise', count: 1, indices: [[3, 3]] }),
      ]),
    );
  });

  it('an unknown stream → 404 naming the streams there are', async () => {
    const answer = await post(`${stack.ingestUrl}/nope`, eventRows(1, 1), auth);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatch(/no stream "nope"; streams: events/);
  });

  it('kept nothing of the bad requests: only the 3 good records are buffered', async () => {
    expect(await stats()).toMatchObject({ accepted: 3, buffered: 3, requestsRejected: 6 });
  });
});

describe('Pipelines stand-in: input that used to crash or mislead the server', () => {
  const send = (path: string, body: string, headers = auth) => rawRequest(stack.url, { path, headers, body });

  it('a record nested 2,500 deep → 400 naming the field and the limit, not a stack overflow', async () => {
    const deep = `${'['.repeat(2_500)}1${']'.repeat(2_500)}`;
    const answer = await send(
      '/streams/events',
      `[${JSON.stringify({ ...eventRow(1), data: 0 }).replace('"data":0', `"data":${deep}`)}]`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      code: 'schema_mismatch',
      error: '1 of 1 records do not match the events schema; none kept',
      rejected: [0],
      details: [{ index: 0, field: 'data', message: 'nested deeper than 64 levels' }],
    });
  });

  it.each([
    ['/streams/%zz', 400, 'invalid_stream'],
    ['/streams/%E0%A4%A', 400, 'invalid_stream'],
    ['/streams/..', 400, 'invalid_stream'],
    ['/streams/%2e%2e', 400, 'invalid_stream'],
    ['/streams/../_admin/roll', 404, undefined],
    ['/streams/events/..', 404, undefined],
  ])('%s → %i with a code, and nothing ingested', async (path, status, code) => {
    const before = await stats();
    const answer = await send(path, JSON.stringify(eventRows(50, 50)));
    expect(answer.status).toBe(status);
    if (code) expect(answer.body).toMatchObject({ success: false, code });
    else expect(answer.body.error.code).toBe('not_found');
    expect((await stats()).accepted).toBe(before.accepted);
  });

  it('a broken bucket name on the R2 SQL route → 400 in the platform shape', async () => {
    const answer = await send('/api/v1/accounts/local/r2-sql/query/%zz', '{"query":"SELECT 1"}');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ success: false, errors: [{ code: 40004 }] });
  });

  it('a 1 MB invalid value is summarized in the answer, not echoed', async () => {
    const answer = await send(
      '/streams/events',
      JSON.stringify([{ ...eventRow(1), [`k${'y'.repeat(1_000_000)}`]: 1 }]),
    );
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body).length).toBeLessThan(2_000);
    expect(answer.body.details[0].field).toMatch(/… \(1000001 chars\)$/);
  });

  it('349,000 × {} (1 MB) → one 400 counting records, quickly, while /healthz keeps answering', async () => {
    const body = `[${Array.from({ length: 349_000 }, () => '{}').join(',')}]`;
    const refused = send('/streams/events', body);
    const health = await rawRequest(stack.url, { method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    const answer = await refused;
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('349000 of 349000 records do not match the events schema; none kept');
    expect(answer.body.rejected).toHaveLength(10_000);
    expect(answer.body.details.map((d: { index: number }) => d.index)).toEqual([...Array(20).keys()]);
    expect(answer.ms).toBeLessThan(5_000);
  });
});
