import { describe, expect, it } from 'vitest';
import { RecordInputError, SinkError } from '../../../ingest/index.ts';
import { toErrorResponse } from '../../../worker/error-response.ts';

async function body(error: unknown): Promise<[number, unknown]> {
  const response = toErrorResponse(error);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  return [response.status, await response.json()];
}

describe('toErrorResponse: every failure is JSON with a code', () => {
  it.each([
    [
      new RecordInputError('target', 'is bad', 'invalid_path'),
      400,
      { code: 'invalid_path', field: 'target' },
    ],
    // Thrown in the Durable Object, an error crosses RPC as a plain Error with its message.
    [
      new Error('record(): ts must be in microseconds since the epoch'),
      400,
      { code: 'invalid_input', field: 'ts' },
    ],
    [new SinkError('answered 400', { status: 400 }), 502, { code: 'refused' }],
    [new SinkError('answered 503', { status: 503 }), 503, { code: 'sink_unavailable' }],
    [new Error('POST http://x/streams/events answered 503: down'), 502, { code: 'sink_error' }],
    [new Error('string or blob too big: SQLITE_TOOBIG'), 413, { code: 'too_large' }],
    [new Error('Serialized RPC arguments or return values are limited to 32MiB'), 413, { code: 'too_large' }],
    [new Error('this storage is read-only: moved to https://b.example.com'), 409, { code: 'read_only' }],
    [new TypeError('x is not a function'), 500, { code: 'internal', message: 'x is not a function' }],
    ['a string', 500, { code: 'internal', message: 'a string' }],
  ])('%s → %i', async (error, status, want) => {
    const [got, json] = await body(error);
    expect(got).toBe(status);
    expect(json).toMatchObject({ error: want });
    expect(typeof (json as { error: { message: string } }).error.message).toBe('string');
  });
});
