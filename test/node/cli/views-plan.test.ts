import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { command as schema } from '../../../cli/commands/schema.ts';
import { command as views } from '../../../cli/commands/views.ts';
import { main } from '../../../cli/main.ts';
import { LAKE_TOPOLOGY } from '../../../schemas/index.ts';
import { streamViews } from '../../../views/library/stream/index.ts';

const viewsModule = new URL('../../../views/index.ts', import.meta.url).pathname;
const sqlModule = new URL('../../../sql/index.ts', import.meta.url).pathname;
const account = '0123456789abcdef0123456789abcdef';
const base = ['--account', account, '--bucket', 'lake'];

let out: string[];
let dir: string;
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  dir = mkdtempSync(join(tmpdir(), 'views-plan-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const lines = () => out.join('\n').split('\n');

/** Writes a module declaring `count` stream views (one with `where` when given) and answers its path. */
function viewModule(name: string, count: number, where = "verb = 'created'"): string {
  const path = join(dir, `${name}.ts`);
  writeFileSync(
    path,
    [
      `import { defineStreamView } from ${JSON.stringify(viewsModule)};`,
      `import { sql as template } from ${JSON.stringify(sqlModule)};`,
      `export const many = Array.from({ length: ${count} }, (_, i) => defineStreamView({`,
      `  name: 'view_' + i, description: 'a view', from: 'events', select: { ts: 'ts', verb: 'verb' },`,
      `  where: template\`${where}\`,`,
      '}));',
    ].join('\n'),
  );
  return path;
}

describe('dotdo-analytics views plan', () => {
  it("prints the lake's commands plus a sink and pipeline per library stream view, with the account usage", async () => {
    expect(await views.run(['plan', ...base])).toBe(0);
    const printed = lines();
    const sinks = LAKE_TOPOLOGY.sinks.length + streamViews.length;
    const pipelines = LAKE_TOPOLOGY.pipelines.length + streamViews.length;
    expect(printed[0]).toBe(
      `# account usage: 3 of 20 streams, ${sinks} of 20 sinks, ${pipelines} of 20 pipelines`,
    );
    expect(printed.filter((l) => l.startsWith('npx wrangler pipelines streams create'))).toHaveLength(3);
    expect(printed.filter((l) => l.startsWith('npx wrangler pipelines sinks create'))).toHaveLength(sinks);
    for (const view of streamViews) {
      expect(printed).toContain(
        `npx wrangler pipelines sinks create ${view.sink.name} --type r2 --bucket lake --format parquet --compression zstd --path ${view.sink.table} --partitioning year=%Y/month=%m/day=%d --roll-interval 300`,
      );
      const line = printed.find((l) => l.startsWith(`npx wrangler pipelines create ${view.pipeline.name} `));
      expect(line).toBe(
        `npx wrangler pipelines create ${view.pipeline.name} --sql '${view.pipeline.sql.replaceAll("'", `'\\''`)}'`,
      );
    }
    expect(printed.join('\n')).toMatch(
      /# stream views: failed_actions@1 → table failed_actions_v1 \(id, ns, ts,/,
    );
  });

  it('is schema setup plus the views: the same commands, from the same code', async () => {
    expect(await schema.run(['setup', ...base, '--sink', 'r2-data-catalog'])).toBe(0);
    const setup = lines();
    out = [];
    expect(await views.run(['plan', ...base, '--sink', 'r2-data-catalog'])).toBe(0);
    const plan = lines();
    const names = streamViews.flatMap((v) => [v.sink.name, v.pipeline.name]);
    const own = (l: string) => names.some((n) => l.includes(` ${n} `)) || l.startsWith('# stream views:');
    expect(plan.filter((l) => !own(l) && !l.startsWith('# account usage'))).toEqual(
      setup.filter((l) => !l.startsWith('# account usage')),
    );
    expect(setup[0]).toBe('# account usage: 3 of 20 streams, 5 of 20 sinks, 5 of 20 pipelines');
    expect(plan).toContain(
      'npx wrangler pipelines sinks create failed_actions_v1_sink --type r2-data-catalog --bucket lake --format parquet --compression zstd --namespace analytics --table failed_actions_v1 --roll-interval 300 --catalog-token "$R2_CATALOG_TOKEN"',
    );
  });

  it('takes the stream views of --views MODULE; 15 fit, 16 are refused naming the limits', async () => {
    expect(await views.run(['plan', ...base, '--views', viewModule('fifteen', 15)])).toBe(0);
    expect(lines()[0]).toBe('# account usage: 3 of 20 streams, 20 of 20 sinks, 20 of 20 pipelines');
    expect(lines().filter((l) => l.startsWith('npx wrangler pipelines create view_'))).toHaveLength(15);

    out = [];
    expect(await views.run(['plan', ...base, '--views', viewModule('sixteen', 16)])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/^refused: the plan needs 21 sinks \(limit 20\), 21 pipelines \(limit 20\)/);
    expect(text).toMatch(/at most 15 stream views fit; this plan has 16\. Drop 1/);
    expect(text).not.toMatch(/npx wrangler/);
  });

  it('refuses a module whose view is stateful, naming the construct; and one with no stream view', async () => {
    const grouped = viewModule('grouped', 1, "status = 'failed' GROUP BY ns");
    expect(await views.run(['plan', ...base, '--views', grouped])).toBe(1);
    expect(out.join('\n')).toMatch(
      /^refused: view view_0@1: pipeline "view_0_v1_pipeline": GROUP BY is not supported/,
    );

    out = [];
    const empty = join(dir, 'empty.ts');
    writeFileSync(empty, 'export const answer = 42;\n');
    expect(await main(['views', 'plan', ...base, '--views', empty])).toBe(2);
    expect(out.join('\n')).toMatch(/the module exports no stream view/);

    out = [];
    expect(await main(['views', 'plan', ...base, '--views', join(dir, 'missing.ts')])).toBe(2);
    expect(out.join('\n')).toMatch(/--views .*missing\.ts: cannot load the module/);

    out = [];
    expect(await main(['views', 'plan', '--bucket', 'lake'])).toBe(2);
    expect(out.join('\n')).toMatch(/--account/);
  });
});
