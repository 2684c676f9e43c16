/**
 * View conformance: every case in `cases/*.ts` runs on the DuckDB engine (in process, R2 SQL's
 * dialect) and on the R2 SQL stand-in (over HTTP, through the R2 SQL client), over one generated
 * workload landed through the real local stack; each engine's rows must equal the case's oracle
 * (plain TypeScript over the delivered events), and the two engines must agree with each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueryEngine } from '../../../query/index.ts';
import * as library from '../../../views/index.ts';
import { createViewRegistry, type ViewEngine } from '../../../views/index.ts';
import { collectViews } from './library-views.ts';
import { compareRows, type Row } from './normalize-rows.ts';
import type { ViewCase } from './view-case.ts';
import { type GeneratedWorkload, generateWorkload } from './workload.ts';
import { landWorkload, type WorkloadLake } from './workload-lake.ts';

declare global {
  interface ImportMeta {
    glob<M>(pattern: string, options: { eager: true }): Record<string, M>;
  }
}

const modules = import.meta.glob<{ cases?: ViewCase[] }>('./cases/*.ts', { eager: true });
const cases = Object.entries(modules)
  .sort(([a], [b]) => a.localeCompare(b))
  .flatMap(([file, module]) => (module.cases ?? []).map((c) => ({ ...c, file })));
const ENGINES = ['duckdb', 'r2sql'] as const;
type EngineName = (typeof ENGINES)[number];

let workload: GeneratedWorkload;
let lake: WorkloadLake;

beforeAll(async () => {
  const started = performance.now();
  workload = generateWorkload();
  const generated = performance.now();
  // A roll every three simulated days: ten files per table, each covering about three days.
  lake = await landWorkload(workload.batches, { batchesPerRoll: 3 });
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.info(
    `workload: ${workload.events.length} events (${workload.delivered.length} delivered) in ${workload.namespaces.length} DOs, ` +
      `generated in ${s(generated - started)}, landed in ${s(performance.now() - generated)} ` +
      `(${lake.requests} requests, ${lake.rolls} files)`,
  );
  // Generous: the setup is CPU-bound and the machine may be shared (see the report in the log line above).
}, 900_000);

afterAll(async () => {
  await lake?.close();
});

/** One engine's answer to a case: its rows after the view's own step, and the column types. */
interface Answer {
  rows: Row[];
  types: Record<string, string>;
  params: unknown;
}

/** A QueryEngine as the registry takes one (its metrics as a plain record). */
const asViewEngine = (engine: QueryEngine): ViewEngine => ({
  async query(sql) {
    const { schema, rows, metrics } = await engine.query(sql);
    return { schema, rows, ...(metrics ? { metrics: { ...metrics } } : {}) };
  },
});

const answers = new Map<string, Promise<Answer>>();
function answer(c: ViewCase, engine: EngineName): Promise<Answer> {
  const key = `${c.name}\u0000${engine}`;
  let found = answers.get(key);
  if (!found) {
    found = (async () => {
      const params = typeof c.params === 'function' ? c.params(workload) : c.params;
      const target: QueryEngine = engine === 'duckdb' ? lake.duckdb : lake.r2sql;
      const result = await createViewRegistry([c.view]).run(asViewEngine(target), c.view.key, params);
      const types = Object.fromEntries(result.schema.map((col) => [col.name, col.type ?? '']));
      return { rows: result.rows as Row[], types, params: c.view.parseParams(params) };
    })();
    answers.set(key, found);
  }
  return found;
}

/** The oracle of a case, computed once for the tests of both engines (a pure function of the workload). */
const oracles = new Map<string, Row[]>();
function expectedOf(c: ViewCase, params: unknown): Row[] {
  let rows = oracles.get(c.name);
  if (!rows) {
    rows = c.expected(workload, params) as Row[];
    oracles.set(c.name, rows);
  }
  return rows;
}

const report = (what: string, differences: string[], actual: Row[], expected: Row[]) =>
  `${what}:\n  ${differences.join('\n  ')}\n  (${actual.length} rows; first: ${JSON.stringify(actual[0])}; expected first: ${JSON.stringify(expected[0])})`;

describe('the generated workload in the lake', () => {
  it('is as large and as varied as the cases need', () => {
    expect(workload.namespaces.length).toBeGreaterThanOrEqual(50);
    expect(workload.events.length).toBeGreaterThanOrEqual(100_000);
    expect(workload.duplicated).toBeGreaterThan(0);
    expect(workload.late).toBeGreaterThan(0);
    expect(workload.delivered.length).toBe(workload.events.length + workload.duplicated);
  });

  it('holds every delivered row, duplicates included, in events, things and actions', async () => {
    const counts = async (engine: QueryEngine) =>
      (
        await engine.query(
          `SELECT (SELECT count(*) FROM analytics.events) AS events, (SELECT count(DISTINCT id) FROM analytics.events) AS ids,
             (SELECT count(*) FROM analytics.things) AS things, (SELECT count(*) FROM analytics.actions) AS actions`,
        )
      ).rows[0];
    const delivered = workload.delivered;
    const expected = {
      events: delivered.length,
      ids: workload.events.length,
      things: delivered.filter((e) => e.output_version !== null).length,
      actions: delivered.filter((e) => e.action_id).length,
    };
    expect(await counts(lake.duckdb)).toEqual(expected);
    expect(await counts(lake.r2sql)).toEqual(expected);
    expect(lake.requests).toBeGreaterThan(workload.batches.length);
  });

  it('has a case for every view of the library', () => {
    const covered = new Set(cases.map((c) => c.view.key));
    const missing = collectViews(library)
      .map((v) => v.key)
      .filter((key) => !covered.has(key));
    expect(missing, `views without a conformance case: ${missing.join(', ')}`).toEqual([]);
  });

  it('has cases with unique names', () => {
    const names = cases.map((c) => c.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  for (const engine of ENGINES) {
    if (c.skip?.engine === engine) {
      console.info(`skip: "${c.name}" on ${engine}: ${c.skip.reason} (${c.file})`);
      it.skip(`on ${engine} (skipped: ${c.skip.reason})`, () => {});
      continue;
    }
    it(`on ${engine} equals the oracle`, async () => {
      const { rows, types, params } = await answer(c, engine);
      const expected = expectedOf(c, params);
      const comparison = compareRows(rows, expected, c.order, types);
      expect(
        comparison.equal,
        report(`${engine} vs oracle`, comparison.differences, comparison.actual, comparison.expected),
      ).toBe(true);
    });
  }
  if (!c.skip) {
    it('answers the same rows on both engines', async () => {
      const [a, b] = await Promise.all(ENGINES.map((engine) => answer(c, engine)));
      const comparison = compareRows(a!.rows, normalizeAs(b!), c.order, a!.types);
      expect(
        comparison.equal,
        report('duckdb vs r2sql', comparison.differences, comparison.actual, comparison.expected),
      ).toBe(true);
    });
  }
});

/** The other engine's rows with its own column types applied (both sides normalize alike). */
const normalizeAs = (answer: Answer): Row[] => compareRows(answer.rows, [], 'ordered', answer.types).actual;
