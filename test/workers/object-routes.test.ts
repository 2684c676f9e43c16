import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { eventually, failPayments, lakeEvents } from './helpers.ts';

const post = (path: string, body: unknown) =>
  exports.default.fetch(`http://worker${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('object routes', () => {
  it('signs up and charges a Customer over HTTP; a failed charge answers retrying, not an error', async () => {
    const host = 'ada.routes-customers.example.com';
    const signed = await post(`/customers/${host}/signup`, { email: 'ada@example.com' });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({ seq: 1, version: 1, data: { email: 'ada@example.com' } });
    await failPayments(`https://${host}`, 1);
    const charged = await post(`/customers/${host}/charge`, { cents: 250 });
    expect(await charged.json()).toMatchObject({ status: 'retrying', error: 'payments answered 503' });
    // The retry runs from the alarm, which also streams what is pending; wait for it, so nothing of
    // this test is still in flight when the next one starts.
    const ns = `https://${host}`;
    const rows = await eventually(async () => {
      const landed = await lakeEvents(ns);
      return landed.length === 2 ? landed : null;
    });
    expect(rows.map((r) => [r.event, r.durability, r.status])).toEqual([
      ['Customer.created', 'try', 'completed'],
      ['Customer.charged', 'do', 'completed'],
    ]);
    await runInDurableObject(env.CUSTOMER!.getByName(ns), (instance) =>
      expect(instance.$.things.get('profile')?.data).toEqual({ email: 'ada@example.com', paidCents: 250 }),
    );
  });

  it('answers every bad request with the JSON error shape, naming the field', async () => {
    const cases: [string, unknown, number, string, string?][] = [
      ['/customers/x.example.com/signup', { email: 'not-an-email' }, 400, 'invalid_body', 'email'],
      ['/customers/x.example.com/charge', { cents: -1 }, 400, 'invalid_body', 'cents'],
      ['/ns/x.example.com/raise', { target: 'acme' }, 400, 'invalid_body', 'amount'],
      ['/ns/x.example.com/move', '{nope', 400, 'malformed_json'],
      ['/ns/x.example.com/move', { locationHint: 'weur', extra: 1 }, 400, 'invalid_body'],
    ];
    for (const [path, body, status, code, field] of cases) {
      const response = await post(path, body);
      const answer = (await response.json()) as { error: { code: string; field?: string; message: string } };
      expect([path, response.status, answer.error.code, answer.error.field]).toEqual([
        path,
        status,
        code,
        field,
      ]);
      expect(answer.error.message.length).toBeGreaterThan(0);
    }
    const malformed = await exports.default.fetch('http://worker/ns/x.example.com/things/acme@@');
    expect([malformed.status, ((await malformed.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'invalid_ref',
    ]);
    const broken = await exports.default.fetch('http://worker/ns/x.example.com/things/acme%zz');
    expect([broken.status, ((await broken.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'invalid_ref',
    ]);
    const missing = await exports.default.fetch('http://worker/ns/x.example.com/things/nobody');
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([
      404,
      'not_found',
    ]);
  });
});
