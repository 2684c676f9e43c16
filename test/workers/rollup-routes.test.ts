import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { createR2SqlEngine } from '../../query/index.ts';
import { orderActivity } from '../../worker/index.ts';
import { injectRandomFaults, roll, stackUrl } from './helpers.ts';

const suffix = '.rollup-routes.startups.studio';
const hosts = ['p1', 'p2'].map((h) => `${h}${suffix}`);
const ADMIN = { authorization: 'Bearer qapi-admin' };
const TENANT = { authorization: 'Bearer qapi-tenant' };

const engine = () =>
  createR2SqlEngine({ accountId: 'local', bucket: 'lake', token: '', endpoint: stackUrl() });
const worker = (path: string, init: RequestInit = {}) => exports.default.fetch(`http://worker${path}`, init);

async function orders(host: string, from: number, n: number): Promise<void> {
  const body = Array.from({ length: n }, (_, i) => ({
    verb: from + i < 3 ? 'create' : 'update',
    type: 'Order',
    target: `orders/o${(from + i) % 3}`,
    data: { k: from + i },
    actor: `https://${host}/users/u${i % 3}`,
    ...(from + i < 3 ? {} : {}),
  }));
  const response = await worker(`/ns/${host}/actions`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(200);
  await env.STARTUP.getByName(`https://${host}`).flush(`https://${host}`);
}

const HOUR_MS = 3_600_000;

/** Order events of hours before now, posted to the Pipelines stand-in as a DO's emitter would. */
async function history(ns: string, n: number): Promise<void> {
  const start = (Math.floor(Date.now() / HOUR_MS) - 4) * HOUR_MS;
  const rows = Array.from({ length: n }, (_, i) => ({
    schema_version: 2,
    id: `${ns}/events/old-1/${i + 1}`,
    ns,
    incarnation: 'old-1',
    seq: i + 1,
    ts: (start + i * 7 * 60_000) * 1000,
    event: 'Order.updated',
    verb: 'updated',
    action: 'update',
    type: `${ns}/Order`,
    target: `${ns}/orders/o${i % 3}`,
    actor: `${ns}/users/u${i % 4}`,
    durability: 'try',
    status: 'completed',
    branch: null,
    input_version: null,
    output_version: `${ns}/orders/o${i % 3}@v${i + 1}`,
    data: { k: i },
    error: null,
    request_id: `req-${i}`,
    session_id: null,
    workflow_id: null,
    correlation_id: null,
    started_at: null,
    completed_at: null,
    duration_ms: 1,
    prev_hash: null,
    hash: null,
  }));
  const response = await fetch(`${stackUrl()}/streams/events`, {
    method: 'POST',
    body: JSON.stringify(rows),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

const ours = (rows: Record<string, unknown>[]) =>
  rows
    .filter((r) => String(r.ns).endsWith(suffix))
    .map((r) => ({ ...r, bucket: new Date(String(r.bucket)).toISOString() }));

async function viaApi(headers: Record<string, string>) {
  const response = await worker('/api/views/order_activity?format=json', { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  const body = (await response.json()) as { result: { rows: Record<string, unknown>[] } };
  return { headers: response.headers, rows: body.result.rows };
}

// An earlier file may leave the stand-in failing ingest at random: these tests need it answering.
beforeAll(() => injectRandomFaults(0));

describe('the example Worker operates its rollups', () => {
  it('/rollups answers status behind the query tokens; refresh and backfill need an admin token', async () => {
    // Landed before any /rollups call starts the refresher's alarm, so no refresh sees half of it.
    for (const host of hosts) await orders(host, 0, 30);
    await history(`https://h1${suffix}`, 30);
    await roll();
    expect((await worker('/rollups')).status).toBe(401);
    expect((await worker('/rollups', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await worker('/rollups/refresh', { method: 'POST', headers: TENANT })).status).toBe(403);
    const bad = await worker('/rollups/backfill', {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ view: 'order_activity@1', from: 10, to: 5 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('to');
    const unknown = await worker('/rollups/backfill', {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ view: 'nope@1', from: 0, to: 5 }),
    });
    expect(unknown.status).toBe(404);
    expect((await worker('/rollups/backfill', { method: 'POST', headers: ADMIN, body: '{' })).status).toBe(
      400,
    );

    const refreshed = await worker('/rollups/refresh', { method: 'POST', headers: ADMIN });
    expect(refreshed.status, await refreshed.clone().text()).toBe(200);
    expect(((await refreshed.json()) as { current: Record<string, number> }).current).toEqual({
      order_activity: 1,
    });
    const status = (await (await worker('/rollups', { headers: TENANT })).json()) as {
      views: Record<string, unknown>[];
      history?: unknown;
    };
    expect(status.history).toBeUndefined();
    expect(status.views[0]).toMatchObject({ view: 'order_activity@1', serving: true, building: false });
    expect(status.views[0]!.watermark).toEqual(expect.any(Number));
    expect(status.views[0]!.refreshedAt).toEqual(expect.any(Number));
    // The lake is shared with other files' traffic: lag and late events are reported, not exactly 0.
    expect(status.views[0]!.lagUs).toBeGreaterThanOrEqual(0);
    expect(status.views[0]!.lateEvents).toBeGreaterThanOrEqual(0);
  });

  it('the query API reads the materialized buckets plus the raw tail, says which, and carries the lag', async () => {
    // Landed after the last refresh: only the raw tail can count these.
    await orders(hosts[0]!, 30, 12);
    await roll();
    const full = ours((await engine().query(orderActivity.render().sql)).rows);
    const read = await viaApi(ADMIN);
    expect(ours(read.rows)).toEqual(full);
    expect(ours(read.rows).reduce((n, r) => n + Number((r as { events?: unknown }).events), 0)).toBe(102);
    expect(read.headers.get('x-view')).toBe('order_activity@1');
    expect(read.headers.get('x-raw-tail-from')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(read.headers.get('x-materialized-error')).toBeNull();
    // The older hours come from the materialization, the current one from raw events.
    const tail = Date.parse(read.headers.get('x-raw-tail-from')!);
    expect(tail).toBe(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
    expect(read.headers.get('x-materialized-buckets')).toMatch(/^\S+Z\/\S+Z/);
    expect(Date.parse(read.headers.get('x-materialized-buckets')!.split(/[/,]/).at(-1)!)).toBeLessThanOrEqual(
      tail,
    );
    expect(Number(read.headers.get('x-view-lag-seconds'))).toBeGreaterThanOrEqual(0);
    // A token for other namespaces sees none of these rows, materialized or raw.
    const tenant = await viaApi(TENANT);
    expect(ours(tenant.rows)).toEqual([]);
    expect(tenant.rows.every((r) => String(r.ns).endsWith('.qapi.test'))).toBe(true);
  });
});
