import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.ts';
import { backfillRollup, readCommits, readRollup, WINDOW_US } from '../../../jobs/materialize/index.ts';
import { createLakeDirSink } from '../../../jobs/materialize/lake-dir-sink.ts';
import type { EventRow } from '../../../schemas/index.ts';
import { namespaceTables } from '../../../views/index.ts';
import { orderActivity } from '../../../worker/order-activity.ts';
import { eventFixture, tempDir } from '../helpers.ts';
import { createParquetLake, type ParquetLake } from '../jobs/parquet-lake.ts';

const HOUR = WINDOW_US.hour;
const T0 = Date.parse('2026-11-10T00:00:00Z') * 1000;
const iso = (us: number) => new Date(us / 1000).toISOString();

function order(seq: number, at: number, ns: string): EventRow {
  return eventFixture(seq, {
    id: `${ns}/events/i1/${seq}`,
    ns,
    ts: at,
    event: seq % 4 === 0 ? 'Order.created' : 'Order.updated',
    verb: seq % 4 === 0 ? 'created' : 'updated',
    action: seq % 4 === 0 ? 'create' : 'update',
    actor: `${ns}/users/u${seq % 3}`,
  });
}

/** The CLI in this process: exit code, stdout and stderr (progress included). */
async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(`${a.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(`${a.join(' ')}\n`));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(['backfill', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.env = saved;
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

let temp: { dir: string; remove: () => Promise<void> };
let lake: ParquetLake;
beforeAll(async () => {
  temp = await tempDir('dotdo-cli-backfill-');
  lake = await createParquetLake(`${temp.dir}/lake`);
  // 12 hours of orders in two namespaces, in three files (as a sink rolls them).
  const rows = Array.from({ length: 240 }, (_, i) =>
    order(i + 1, T0 + i * 3 * 60_000_000, i % 3 ? 'https://a.shop.test' : 'https://b.shop.test'),
  );
  for (let f = 0; f < 3; f++) await lake.write('events', rows.slice(f * 80, (f + 1) * 80));
});
afterAll(async () => {
  await lake?.close();
  await temp?.remove();
});

const full = async (since: number, until: number) =>
  (await lake.engine.query(orderActivity.render({ since: since / 1000, until: until / 1000 }).sql)).rows.map(
    (r) => ({ ...r, bucket: new Date(String(r.bucket)).toISOString() }),
  );

const materialized = async (since: number, until: number) =>
  readRollup(lake.engine, orderActivity, { since: since / 1000, until: until / 1000 }, { rawTail: false });

describe('dotdo-analytics backfill', () => {
  it('validates its flags with errors naming each one', async () => {
    const cases: [string[], string][] = [
      [['--from', '2026-11-10', '--to', '2026-11-11', '--lake', lake.dir], '--view: required'],
      [['--view', 'order_activity', '--to', '2026-11-11', '--lake', lake.dir], '--from: required'],
      [
        ['--view', 'order_activity', '--from', 'yesterday', '--to', '2026-11-11', '--lake', lake.dir],
        '--from: "yesterday"',
      ],
      [
        ['--view', 'order_activity', '--from', '2026-11-11', '--to', '2026-11-10', '--lake', lake.dir],
        '--to: must be after --from',
      ],
      [
        ['--view', 'order_activity', '--from', '2026-11-10', '--to', '2026-11-11'],
        '--lake: give --lake DIR or --endpoint URL',
      ],
      [
        [
          '--view',
          'order_activity',
          '--from',
          '2026-11-10',
          '--to',
          '2026-11-11',
          '--lake',
          lake.dir,
          '--endpoint',
          'http://x.test',
        ],
        'not both',
      ],
      [
        ['--view', 'Order-Activity', '--from', '2026-11-10', '--to', '2026-11-11', '--lake', lake.dir],
        '--view: a rollup name',
      ],
      [
        ['--view', 'nope', '--from', '2026-11-10', '--to', '2026-11-11', '--lake', lake.dir],
        'no rollup nope (rollups: order_activity@1)',
      ],
      [
        ['--view', 'order_activity@2', '--from', '2026-11-10', '--to', '2026-11-11', '--lake', lake.dir],
        'no rollup order_activity@2',
      ],
      [
        [
          '--view',
          'order_activity',
          '--from',
          '2026-11-10',
          '--to',
          '2026-11-11',
          '--lake',
          lake.dir,
          '--chunk',
          '90m',
        ],
        '--chunk: 90m is not a whole number of hours',
      ],
      [
        [
          '--view',
          'order_activity',
          '--from',
          '2026-11-10',
          '--to',
          '2026-11-11',
          '--lake',
          lake.dir,
          '--chunk',
          '0',
        ],
        '--chunk: buckets per chunk',
      ],
      [
        [
          '--view',
          'order_activity',
          '--from',
          '2026-11-10',
          '--to',
          '2026-11-11',
          '--lake',
          `${temp.dir}/none`,
        ],
        '--lake: no directory',
      ],
      [
        [
          '--view',
          'order_activity',
          '--from',
          '2026-11-10',
          '--to',
          '2026-11-11',
          '--lake',
          lake.dir,
          '--resume-from',
          '2026-11-12',
        ],
        '--resume-from: must lie within',
      ],
      [
        [
          '--view',
          'order_activity',
          '--from',
          '2000-01-01',
          '--to',
          '2026-11-11',
          '--lake',
          lake.dir,
          '--chunk',
          '1',
        ],
        'too many',
      ],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toContain(message);
    }
    expect(await readCommits(lake.engine, orderActivity, namespaceTables('analytics'))).toEqual([]);
  });

  it('recomputes exactly the range on a Parquet lake, in chunks, with progress on stderr', async () => {
    const from = T0 + 2 * HOUR + 20 * 60_000_000; // widened to whole hours: [02:00, 09:00)
    const to = T0 + 8 * HOUR + 1000;
    const { code, stdout, stderr } = await cli([
      '--view',
      'order_activity',
      '--from',
      iso(from),
      '--to',
      String(to / 1000),
      '--lake',
      lake.dir,
      '--chunk',
      '3h',
    ]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`[${iso(T0 + 2 * HOUR)}, ${iso(T0 + 9 * HOUR)}) in 3 chunks of 3 hours`);
    expect(stderr).toMatch(/1\/3 chunks \(33%\), [\d.]+ chunks\/s, ETA \S+, \d+ rows/);
    expect(stderr).toContain('3/3 chunks (100%)');
    const commits = await readCommits(lake.engine, orderActivity, namespaceTables('analytics'));
    expect(commits.map((c) => [(c.from - T0) / HOUR, (c.to - T0) / HOUR])).toEqual([
      [2, 5],
      [5, 8],
      [8, 9],
    ]);
    const read = await materialized(T0 + 2 * HOUR, T0 + 9 * HOUR);
    expect(read.rows).toEqual(await full(T0 + 2 * HOUR, T0 + 9 * HOUR));
    expect(read.rows.length).toBeGreaterThan(0);
    // Nothing outside the range was materialized.
    expect((await materialized(T0, T0 + 2 * HOUR)).rows).toEqual([]);
    expect((await materialized(T0 + 9 * HOUR, T0 + 12 * HOUR)).rows).toEqual([]);
  });

  it('through a Worker endpoint: a run cut short says where to resume, and the resumed run finishes it', async () => {
    let calls = 0;
    const seen: string[] = [];
    const sink = createLakeDirSink(lake.dir, 'rollups');
    // The Worker's POST /rollups/backfill, over the same lake: the third call fails.
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        calls += 1;
        seen.push(String(req.headers.authorization));
        if (calls === 3) {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"unavailable","message":"try again"}}');
          return;
        }
        const { view, from, to } = JSON.parse(body) as { view: string; from: number; to: number };
        const chunks = await backfillRollup(orderActivity, { from, to }, { engine: lake.engine, sink });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ view, chunks: chunks.length, rows: chunks.reduce((n, c) => n + c.rows, 0) }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const args = [
        '--view',
        'order_activity@1',
        '--from',
        iso(T0),
        '--to',
        iso(T0 + 12 * HOUR),
        '--endpoint',
        endpoint,
        '--chunk',
        '2',
      ];
      const env = { DOTDO_ANALYTICS_TOKEN: 'ops-token' };
      const first = await cli(args, env);
      expect(first.code).toBe(1);
      expect(first.stderr).toContain('backfill stopped after 2 of 6 chunks');
      expect(first.stderr).toContain('answered 503');
      const resume = /--resume-from (\S+)/.exec(first.stderr)?.[1];
      expect(resume).toBe(iso(T0 + 4 * HOUR));
      const second = await cli([...args, '--resume-from', resume!], env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain('6/6 chunks (100%)');
      expect(calls).toBe(3 + 4);
      expect(new Set(seen)).toEqual(new Set(['Bearer ops-token']));
      const read = await materialized(T0, T0 + 12 * HOUR);
      expect(read.sources.materialized.length).toBeGreaterThan(0);
      expect(read.rows).toEqual(await full(T0, T0 + 12 * HOUR));
      const unreachable = await cli([
        ...args.slice(0, -4),
        '--endpoint',
        'http://127.0.0.1:9',
        '--chunk',
        '12',
      ]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain('is the Worker running?');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
