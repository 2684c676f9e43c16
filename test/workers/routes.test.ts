import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { roll } from './helpers.ts';

const call = (path: string, body?: unknown): Promise<Response> =>
  exports.default.fetch(`http://worker${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

interface ErrorAnswer {
  error: { code: string; message: string; field?: string };
}

async function refusal(response: Response, status: number): Promise<ErrorAnswer['error']> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await response.json()) as ErrorAnswer;
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

describe('worker routes', () => {
  it('records valid actions and names each invalid field', async () => {
    const ok = await call('/ns/routes.example.com/actions', [
      { verb: 'create', type: 'Startup', target: 'acme' },
      { verb: 'update', type: 'Startup', target: 'acme', data: { a: 1 } },
    ]);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { recorded: { seq: number }[] }).recorded.map((r) => r.seq)).toEqual([1, 2]);

    const bad = await refusal(
      await call('/ns/routes.example.com/actions', { verb: 'Create', type: 'startup', target: '', extra: 1 }),
      400,
    );
    expect(bad).toMatchObject({ code: 'invalid_body', field: 'verb' });
    expect(bad.message).toMatch(/verb: .*type: .*target: /);

    expect(await refusal(await call('/ns/routes.example.com/actions', '{not json'), 400)).toMatchObject({
      code: 'malformed_json',
    });
    expect(await refusal(await call('/nowhere'), 404)).toMatchObject({ code: 'not_found' });
    const pending = await exports.default.fetch('http://worker/ns/routes.example.com/pending');
    expect(await pending.json()).toEqual({ pending: 2, deadLetters: 0 });
  });

  it('names the missing field of an object body, not "(body) Invalid input"', async () => {
    const error = await refusal(
      await call('/ns/routes-missing.example.com/actions', { type: 'Startup', target: 'acme' }),
      400,
    );
    expect(error).toMatchObject({ code: 'invalid_body', field: 'verb' });
    expect(error.message).not.toMatch(/\(body\)/);
  });

  it('refuses what the stream would drop, naming the field, and records nothing', async () => {
    const host = 'routes-contract.example.com';
    const cases: [unknown, string, string, RegExp][] = [
      [{ verb: 'create', type: 'Customer', target: 'a/b c?d' }, 'target', 'invalid_path', /URL/],
      [{ verb: 'create', type: 'Customer', target: 'a@b' }, 'target', 'invalid_path', /@/],
      [{ verb: 'create', type: 'Customer', target: 'a', actor: 'x y' }, 'actor', 'invalid_path', /URL/],
      [
        { verb: 'create', type: 'Customer', target: 'a', ts: Date.now() },
        'ts',
        'timestamp_in_milliseconds',
        /milliseconds/,
      ],
      [
        { verb: 'create', type: 'Customer', target: 'a', data: { blob: 'x'.repeat(950_000) } },
        'data',
        'payload_too_large',
        /at most 900000/,
      ],
      [
        [
          { verb: 'create', type: 'Customer', target: 'ok' },
          { verb: 'create', type: 'Customer', target: 'bad path' },
        ],
        '1.target',
        'invalid_path',
        /actions\[1\]/,
      ],
    ];
    for (const [body, field, code, message] of cases) {
      const error = await refusal(await call(`/ns/${host}/actions`, body), 400);
      expect(error).toMatchObject({ field, code });
      expect(error.message).toMatch(message);
    }
    const pending = await exports.default.fetch(`http://worker/ns/${host}/pending`);
    expect(await pending.json()).toEqual({ pending: 0, deadLetters: 0 });
  });

  it('answers JSON with a code for every other failure', async () => {
    const host = 'routes-errors.example.com';
    const get = (path: string) => exports.default.fetch(`http://worker/ns/${host}/${path}`);
    expect(await refusal(await get('actions'), 405)).toMatchObject({ code: 'method_not_allowed' });
    expect(await refusal(await call(`/ns/${host}/pending`), 405)).toMatchObject({
      code: 'method_not_allowed',
    });
    expect(await refusal(await get('dead-letters?limit=abc'), 400)).toMatchObject({
      code: 'invalid_query',
      field: 'limit',
    });
    expect(await refusal(await call(`/ns/${host}/seed`, { count: 0 }), 400)).toMatchObject({
      code: 'invalid_body',
      field: 'count',
    });
    expect(await refusal(await call(`/ns/${host}/resend`, { seqs: 'all' }), 400)).toMatchObject({
      field: 'seqs',
    });
    const letters = await get('dead-letters');
    expect(await letters.json()).toEqual({ count: 0, deadLetters: [] });
  });
});

describe('worker lake queries', () => {
  it("reads a namespace's newest events back from the lake through R2 SQL (the stand-in in dev)", async () => {
    const host = 'lake-route.example.com';
    await call(`/ns/${host}/actions`, [
      { verb: 'create', type: 'Startup', target: 'acme' },
      { verb: 'update', type: 'Startup', target: 'acme', data: { n: 2 } },
      { verb: 'publish', type: 'Startup', target: 'acme' },
    ]);
    await call(`/ns/${host}/flush`);
    await roll();
    const response = await exports.default.fetch(`http://worker/ns/${host}/events?limit=2`);
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as {
      events: { seq: number; event: string; target: string }[];
    };
    expect(events).toEqual([
      expect.objectContaining({ seq: 3, event: 'Startup.published', target: `https://${host}/acme` }),
      expect.objectContaining({ seq: 2, event: 'Startup.updated' }),
    ]);
    expect((await exports.default.fetch(`http://worker/ns/${host}/events?limit=9999`)).status).toBe(400);
  });
});
