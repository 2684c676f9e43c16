import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { eventRow, eventRows, post, tempDir } from '../fixtures/events.ts';

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
