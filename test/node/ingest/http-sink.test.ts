import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpSink, SinkError } from '../../../ingest/index.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real loopback server that answers every POST with this status and body. */
async function answering(status: number, body: unknown): Promise<string> {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/streams/events`;
}

async function failure(url: string, count = 30): Promise<SinkError> {
  const rows = Array.from({ length: count }, (_, i) => ({ seq: i + 1 }));
  const error = await createHttpSink({ url })
    .send(rows)
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(SinkError);
  return error as SinkError;
}

describe('createHttpSink refusals', () => {
  it('reads the ingest contract: every rejected index, reasons from details, the error for the rest', async () => {
    const url = await answering(400, {
      success: false,
      error: '3 of 30 records do not match the events schema; none kept',
      code: 'schema_mismatch',
      rejected: [2, 17, 29, 29, 99],
      details: [
        { index: 2, field: 'target', message: 'must be an absolute URL' },
        { index: 2, field: 'seq', message: 'must be an int64' },
        { index: 17, field: 'ts', message: 'must be a timestamp' },
      ],
    });
    const error = await failure(url);
    expect(error).toMatchObject({ code: 'schema_mismatch', status: 400, permanent: true });
    expect(error.rejected).toEqual([
      { index: 2, reason: 'target: must be an absolute URL; seq: must be an int64' },
      { index: 17, reason: 'ts: must be a timestamp' },
      { index: 29, reason: '3 of 30 records do not match the events schema; none kept' },
    ]);
  });

  it('reads the indices of details alone (up to 20 problems, as the stand-in answered before)', async () => {
    const url = await answering(400, {
      success: false,
      error: 'schema mismatch',
      details: [
        { index: 4, field: 'type', message: 'must be an absolute URL' },
        { index: 1, field: 'id', message: 'is required' },
      ],
    });
    const error = await failure(url);
    expect(error.rejected?.map((r) => r.index)).toEqual([1, 4]);
  });

  it.each([
    [400, 'not json at all', 'refused', true],
    [413, { success: false, error: 'too large', code: 'too_large' }, 'too_large', true],
    [401, { success: false, error: 'bad token' }, 'unauthorized', true],
    [404, { success: false, error: 'no stream' }, 'refused', true],
    [429, { success: false, error: 'slow down' }, 'throttled', false],
    [408, { success: false, error: 'timeout' }, 'throttled', false],
    [503, { success: false, error: 'down' }, 'sink_unavailable', false],
  ] as const)('a %i names no record: code %s, permanent %s', async (status, body, code, permanent) => {
    const error = await failure(await answering(status, body));
    expect(error).toMatchObject({ code, status, permanent });
    expect(error.rejected).toBeUndefined();
  });

  it('a request that gets no answer is a transient network failure', async () => {
    const url = await answering(200, {});
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await failure(url);
    expect(error).toMatchObject({ code: 'network', permanent: false });
  });
});
