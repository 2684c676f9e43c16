import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningWorker, startWorker } from '../../../cli/dev/start-worker.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { tempDir } from '../helpers.ts';

const TOKEN = 'dev-rollups-admin';
const auth = { authorization: `Bearer ${TOKEN}` };
let temp: { dir: string; remove: () => Promise<void> };
let stack: LocalStack;
let worker: RunningWorker;

beforeAll(async () => {
  temp = await tempDir('dotdo-dev-refresher-');
  stack = await startLocalStack({
    dataDir: `${temp.dir}/stack`,
    port: 0,
    pipelines: { rollIntervalMs: 200 },
  });
  // What `npm start` runs: the example Worker with its refresher started, here on a 1 s schedule.
  worker = await startWorker({
    dataDir: `${temp.dir}/worker`,
    port: 0,
    ingestUrl: stack.ingestUrl,
    persist: false,
    refresher: true,
    vars: {
      R2_SQL_ENDPOINT: stack.url,
      R2_ACCOUNT_ID: 'local',
      LAKE_BUCKET: stack.pipelines.config.bucket,
      FLUSH_DELAY_MS: '100',
      ROLLUPS_INTERVAL_MS: '1000',
      QUERY_TOKENS: JSON.stringify([
        { sha256: createHash('sha256').update(TOKEN).digest('hex'), namespaces: ['*'], admin: true },
      ]),
    },
  });
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await stack?.close();
  await temp?.remove();
});

describe('the dev stack runs the rollup refresher', () => {
  it('its alarm materializes orders as they land, without being asked, and /rollups reports it', async () => {
    const ns = 'dev.refresher.test';
    const actions = Array.from({ length: 12 }, (_, i) => ({
      verb: i < 3 ? 'create' : 'update',
      type: 'Order',
      target: `orders/o${i % 3}`,
      data: { i },
    }));
    const posted = await fetch(`${worker.url}/ns/${ns}/actions`, {
      method: 'POST',
      body: JSON.stringify(actions),
    });
    expect(posted.status, await posted.clone().text()).toBe(200);
    expect((await fetch(`${worker.url}/rollups`)).status).toBe(401);
    const deadline = Date.now() + 30_000;
    let view: Record<string, unknown> | undefined;
    for (;;) {
      const status = (await (await fetch(`${worker.url}/rollups`, { headers: auth })).json()) as {
        views: Record<string, unknown>[];
        history: { chunks: number; error: string | null }[];
      };
      view = status.views[0];
      if (view?.watermark !== null && status.history.some((h) => h.chunks > 0)) break;
      if (Date.now() > deadline) throw new Error(`not refreshed in time: ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(view).toMatchObject({ view: 'order_activity@1', serving: true, building: false, lateEvents: 0 });
    const read = await fetch(`${worker.url}/api/views/order_activity`, { headers: auth });
    expect(read.status).toBe(200);
    const rows = ((await read.json()) as { result: { rows: { ns: string; events: number }[] } }).result.rows;
    expect(rows.filter((r) => r.ns === `https://${ns}`).reduce((n, r) => n + Number(r.events), 0)).toBe(12);
    expect(read.headers.get('x-raw-tail-from')).not.toBeNull();
    expect(read.headers.get('x-view-lag-seconds')).not.toBeNull();
  }, 45_000);
});
