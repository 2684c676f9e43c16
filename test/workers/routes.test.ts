import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { roll } from './helpers.ts';

const call = (path: string, body?: unknown): Promise<Response> =>
  exports.default.fetch(`http://worker${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('worker routes', () => {
  it('records valid actions and names each invalid field', async () => {
    const ok = await call('/ns/routes.example.com/actions', [
      { verb: 'create', type: 'Startup', target: 'acme' },
      { verb: 'update', type: 'Startup', target: 'acme', data: { a: 1 } },
    ]);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { recorded: { seq: number }[] }).recorded.map((r) => r.seq)).toEqual([1, 2]);

    const bad = await call('/ns/routes.example.com/actions', {
      verb: 'Create',
      type: 'startup',
      target: '',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['verb', 'type', 'target']));

    expect((await call('/ns/routes.example.com/actions', '{not json')).status).toBe(400);
    expect((await call('/nowhere')).status).toBe(404);
    const pending = await exports.default.fetch('http://worker/ns/routes.example.com/pending');
    expect(await pending.json()).toEqual({ pending: 2 });
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
