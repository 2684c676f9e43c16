/**
 * The query API's overhead: `createQueryHandler` (auth by token hash, tenant-filtered rendering,
 * engine call, ETag, the body encoded and read whole) against calling the same engine directly with
 * the same SQL, in the same process, over the same 1M events. Target: ≤ 1.1× for queries of 10 ms or more.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createQueryHandler, hashToken, namespacePattern, tenantTables } from '../query/api/index.ts';
import { createDuckDbEngine } from '../query/duckdb/index.ts';
import { withR2SqlDialect } from '../query/index.ts';
import { createViewRegistry, eventsPerHour } from '../views/index.ts';
import { sql } from '../sql/index.ts';
import { GENERATED_FROM_US, GENERATED_STEP_US, generateEvents } from './generate-events.ts';
import { type BenchReport, median } from './machine.ts';

const EVENTS = 1_000_000;
const FILES = 10;
const RUNS = 31;
const TARGET = 1.1;
const TOKEN = 'bench-token';
const SCOPE = ['https://*.startups.studio'];
/** The view reads the generated lake's last week (its events span 23 days). */
const SINCE = new Date((GENERATED_FROM_US + EVENTS * GENERATED_STEP_US) / 1000 - 7 * 86_400_000)
  .toISOString()
  .slice(0, 10);

/** What each case asks the handler for, and the SQL the direct call runs. */
interface Case {
  name: string;
  path: string;
  init?: RequestInit;
  sql: string;
  finish?: (rows: Record<string, unknown>[]) => unknown;
}

function cases(): Case[] {
  const table = tenantTables(SCOPE.map((p) => namespacePattern.parse(p)));
  const hourly = eventsPerHour.render({ since: SINCE }, { table });
  const rows = sql`SELECT id, ns, seq, ts, verb, target FROM ${table('events')} ORDER BY ts, id LIMIT 10000`
    .text;
  const raw = (format: string): Case => ({
    name: `10,000 rows as ${format} (admin SQL)`,
    path: `/sql?format=${format}`,
    init: { method: 'POST', body: JSON.stringify({ sql: rows }) },
    sql: rows,
  });
  return [
    {
      name: 'events_per_hour view, JSON',
      path: `/views/events_per_hour?since=${SINCE}`,
      sql: hourly.sql,
      finish: (r) => eventsPerHour.finish(r, hourly.params),
    },
    { ...raw('json') },
    { ...raw('csv') },
    { ...raw('arrow') },
  ];
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Runs the benchmark and returns its markdown section.
 *
 * @example
 * ```ts
 * import { benchQueryApi } from './query-api.bench.ts';
 * console.log((await benchQueryApi()).markdown);
 * ```
 */
export async function benchQueryApi(): Promise<BenchReport> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dotdo-bench-qapi-'));
  const raw = await (await DuckDBInstance.create(':memory:')).connect();
  await generateEvents(raw, dataDir, EVENTS, FILES);
  raw.closeSync();
  const engine = withR2SqlDialect(await createDuckDbEngine({ lake: dataDir }));
  const api = createQueryHandler({
    registry: createViewRegistry([eventsPerHour]),
    engine,
    tokens: [{ sha256: await hashToken(TOKEN), namespaces: SCOPE, admin: true }],
    cache: false,
  });
  const lines: string[] = [];
  let engineTotal = 0;
  let apiTotal = 0;
  try {
    for (const c of cases()) {
      const direct = async () => {
        const result = await engine.query(c.sql);
        return c.finish ? c.finish(result.rows) : result.rows;
      };
      const viaApi = async () => {
        const response = await api(
          new Request(`http://bench${c.path}`, {
            ...c.init,
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          }),
        );
        if (response.status !== 200)
          throw new Error(`${c.name}: ${response.status} ${await response.text()}`);
        return response.arrayBuffer();
      };
      for (let i = 0; i < 3; i++) await Promise.all([direct(), viaApi()].map((p) => p)); // warm up (and the freshness memo)
      const engineTimes: number[] = [];
      const apiTimes: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        if (i % 2 === 0) {
          engineTimes.push(await time(direct));
          apiTimes.push(await time(viaApi));
        } else {
          apiTimes.push(await time(viaApi));
          engineTimes.push(await time(direct));
        }
      }
      const answered = (await direct()) as unknown[];
      if (answered.length === 0) throw new Error(`${c.name}: no rows, the case measures nothing`);
      const e = median(engineTimes);
      const a = median(apiTimes);
      engineTotal += e;
      apiTotal += a;
      lines.push(
        `| ${c.name} | ${answered.length.toLocaleString('en')} | ${e.toFixed(1)} | ${a.toFixed(1)} | ${(a / e).toFixed(2)}× |`,
      );
    }
  } finally {
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const ratio = apiTotal / engineTotal;
  const markdown = [
    `### Query API handler vs the engine called directly (${EVENTS.toLocaleString('en')} events, ${FILES} files, median of ${RUNS})`,
    '',
    'Both sides run the same SQL on the same in-process DuckDB engine (R2 SQL dialect). The handler adds',
    'token hashing and the constant-time compare, rendering over the tenant-filtered derived tables, the',
    'freshness memo (warm), encoding the body and its ETag (SHA-256 over the bytes), read whole here.',
    '',
    '| case | rows | engine ms | handler ms | ratio |',
    '|---|---:|---:|---:|---:|',
    ...lines,
    `| **all cases (sum of medians)** | | ${engineTotal.toFixed(1)} | ${apiTotal.toFixed(1)} | **${ratio.toFixed(2)}×** |`,
    '',
    `Target: ≤ ${TARGET}× for queries of 10 ms or more.`,
  ].join('\n');
  return { name: 'query-api', markdown, passed: ratio <= TARGET };
}
