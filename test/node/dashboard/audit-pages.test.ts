import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditCursor, downloadAuditPages } from '../../../dashboard/page/verify/audit-pages.ts';
import { builtInViews, createQueryHandler, hashToken, type QueryHandler } from '../../../query/api/index.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { withR2SqlDialect } from '../../../query/index.ts';
import { createViewRegistry } from '../../../views/index.ts';
import { tempDir } from '../fixtures/events.ts';
import { writeLake } from '../query/api/tenant-lake.ts';

// The verify panel's paging over the real query API: 40 events of a namespace, 5 delivered twice.
const NS = 'https://one.acme.test';
const TOKEN = 'audit-pages-token';
let engine: ReturnType<typeof withR2SqlDialect<DuckDbEngine>>;
let api: QueryHandler;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('dotdo-audit-pages-');
  cleanup = temp.remove;
  writeLake(temp.dir, [
    [NS, false],
    ['https://two.acme.test', false],
  ]);
  engine = withR2SqlDialect(await createDuckDbEngine({ lake: temp.dir }));
  api = createQueryHandler({
    registry: createViewRegistry(builtInViews()),
    engine,
    tokens: [{ sha256: await hashToken(TOKEN), namespaces: [NS] }],
    cache: false,
    freshness: false,
  });
});

afterAll(async () => {
  await engine?.close();
  await cleanup?.();
});

const fetchPage = (limit: number, asked: AuditCursor[]) => async (after: AuditCursor) => {
  asked.push(after);
  const query = new URLSearchParams({
    ns: NS,
    limit: String(limit),
    after_incarnation: after.incarnation,
    after_seq: String(after.seq),
    format: 'arrow',
  });
  const response = await api(
    new Request(`http://api.test/views/audit_events?${query}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }),
  );
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
};

const keysOf = (page: Uint8Array) => {
  const table = tableFromIPC(page);
  return Array.from(
    { length: table.numRows },
    (_, i) => `${table.getChild('incarnation')!.get(i)}/${table.getChild('seq')!.get(i)}`,
  );
};

describe('downloadAuditPages', () => {
  it.each([7, 8, 40, 1000])('reads every row of the namespace once, in pages of %i events', async (limit) => {
    const asked: AuditCursor[] = [];
    const progress: number[] = [];
    const pages = await downloadAuditPages(fetchPage(limit, asked), {
      pageEvents: limit,
      onPage: ({ events }) => progress.push(events),
    });
    const perPage = pages.map(keysOf);
    const rows = perPage.flat();
    const whole = (await engine.query(`SELECT incarnation, seq FROM analytics.events WHERE ns = '${NS}'`))
      .rows;
    expect(rows.length).toBe(whole.length); // 45: re-deliveries kept
    expect(new Set(rows).size).toBe(40);
    // No event's deliveries are split across two pages, and the pages ask with strictly rising cursors.
    const pageOf = new Map<string, number>();
    perPage.forEach((keys, p) => {
      for (const key of keys) {
        expect(pageOf.get(key) ?? p).toBe(p);
        pageOf.set(key, p);
      }
    });
    expect(pages.length).toBe(Math.floor(40 / limit) + 1);
    expect(progress.at(-1)).toBe(40);
    for (let i = 1; i < asked.length; i++) expect(asked[i]!.seq).toBeGreaterThan(asked[i - 1]!.seq);
  });

  it('refuses a page that does not move the cursor, instead of asking again forever', async () => {
    const first = await fetchPage(7, [])({ incarnation: '', seq: 0 });
    let calls = 0;
    const stuck = async () => {
      calls++;
      return first;
    };
    await expect(downloadAuditPages(stuck, { pageEvents: 7 })).rejects.toThrow(
      /page 2 ends at incarnation .* not after the cursor/,
    );
    expect(calls).toBe(2);
  });
});
