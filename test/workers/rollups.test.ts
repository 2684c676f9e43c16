import { abortAllDurableObjects } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { readRollup } from '../../jobs/materialize/index.ts';
import { createR2SqlEngine } from '../../query/index.ts';
import { orderActivity } from '../../worker/index.ts';
import { roll, stackUrl } from './helpers.ts';

const suffix = '.rollups.startups.studio';
const hosts = ['r1', 'r2', 'r3'].map((h) => `${h}${suffix}`);

const engine = () =>
  createR2SqlEngine({ accountId: 'local', bucket: 'lake', token: '', endpoint: stackUrl() });

/** Orders created, updated and archived in one namespace, by a handful of actors. */
async function orders(host: string, from: number, n: number): Promise<void> {
  const actions = Array.from({ length: n }, (_, i) => {
    const k = from + i;
    const target = `orders/o${k % 9}`;
    const verb = k % 9 === k ? 'create' : k % 5 === 0 ? 'archive' : 'update';
    return { verb, type: 'Order', target, data: { k }, actor: `https://${host}/users/u${k % 4}` };
  });
  const created = Array.from({ length: 9 }, (_, i) => ({
    verb: 'create',
    type: 'Order',
    target: `orders/o${i}`,
    data: { k: i },
  }));
  const body = from === 0 ? [...created, ...actions.slice(9)] : actions;
  const response = await exports.default.fetch(`http://worker/ns/${host}/actions`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  await env.STARTUP.getByName(`https://${host}`).flush(`https://${host}`);
}

const ours = (rows: Record<string, unknown>[]) =>
  rows
    .filter((r) => String(r.ns).endsWith(suffix))
    .map((r) => ({ ...r, bucket: new Date(String(r.bucket)).toISOString() }));

describe('the rollup refresher Durable Object', () => {
  it('killed at random points mid-refresh and retried, it never counts a bucket twice', async () => {
    for (const host of hosts) await orders(host, 0, 60);
    await roll();
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let round = 0; round < 6; round++) {
      const stub = env.ROLLUPS!.getByName('crash-test');
      const refreshing = stub.refresh().catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 120)));
      await abortAllDurableObjects();
      await refreshing;
      await orders(hosts[round % 3]!, 100 + round * 20, 20);
      await roll();
    }
    const status = await env.ROLLUPS!.getByName('crash-test').refresh();
    expect(status.current).toEqual({ order_activity: 1 });
    expect(status.views[0]).toMatchObject({ view: 'order_activity@1', serving: true, building: false });
    await roll();
    // What the refreshes materialized alone (no raw tail), after retries cut short at random points.
    const materialized = await readRollup(engine(), orderActivity, {}, { rawTail: false });
    const full = await engine().query(orderActivity.render().sql);
    expect(materialized.sources.raw).toEqual([]);
    expect(ours(materialized.rows)).toEqual(ours(full.rows));
    const total = ours(materialized.rows).reduce((n, r) => n + Number((r as { events?: number }).events), 0);
    expect(total).toBe(3 * 60 + 6 * 20);
    expect(ours((await readRollup(engine(), orderActivity)).rows)).toEqual(ours(full.rows));
    const history = await env.ROLLUPS!.getByName('crash-test').history();
    expect(history.some((h) => h.error === null && h.chunks > 0)).toBe(true);
  });
});
