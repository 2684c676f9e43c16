import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEventRow } from '../../../ingest/store/event-row.ts';
import { createPipelinesStandIn, createR2SqlStandIn } from '../../../local/index.ts';
import { tempDir } from '../helpers.ts';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const section = readme.slice(
  readme.indexOf('## Querying'),
  readme.indexOf('\n## ', readme.indexOf('## Querying') + 5),
);
const statements = [...section.matchAll(/```sql\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.split(';'))
  .map((s) => s.replace(/^--.*$/gm, '').trim())
  .filter(Boolean);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('README "Querying"', () => {
  it('says what type, target, verb and event hold', () => {
    for (const column of ['`type`', '`target`', '`verb`', '`event`'])
      expect(section).toMatch(new RegExp(`\\| ${column} \\|`));
    expect(section).toContain('https://acme.startups.studio/Startup');
    expect(section).toContain('Startup.created');
    expect(statements.length).toBeGreaterThanOrEqual(6);
  });

  it('every query in it runs on the R2 SQL stand-in over a lake the default pipelines wrote', async () => {
    const temp = await tempDir('dotdo-readme-');
    cleanups.push(temp.remove);
    const pipelines = createPipelinesStandIn({ dataDir: temp.dir, rollIntervalMs: 3_600_000 });
    cleanups.push(() => pipelines.close());
    const ns = 'https://acme.startups.studio';
    const now = Date.now() * 1000;
    const events = Array.from({ length: 6 }, (_, i) =>
      buildEventRow({
        ns,
        incarnation: 'inc-r',
        seq: i + 1,
        prevHash: null,
        ts: now - i * 1_000_000,
        noun: 'Startup',
        action: i ? 'update' : 'create',
        past: i ? 'updated' : 'created',
        target: 'acme',
        actor: null,
        durability: 'try',
        status: i === 5 ? 'failed' : 'completed',
        branch: null,
        input: i && i < 5 ? i : null,
        output: i < 5 ? i + 1 : null,
        actionId: i + 1,
        name: null,
        deleted: false,
        data: i < 5 ? JSON.stringify({ name: 'Acme' }) : null,
        error: i === 5 ? JSON.stringify({ message: 'boom' }) : null,
        requestId: null,
        sessionId: null,
        workflowId: null,
        correlationId: null,
        startedAt: null,
        completedAt: null,
      }),
    );
    expect(pipelines.ingest('events', JSON.stringify(events), undefined).status).toBe(200);
    pipelines.roll();
    const r2sql = createR2SqlStandIn({ dataDir: temp.dir });
    cleanups.push(() => r2sql.close());
    for (const query of statements) {
      const answer = await r2sql.query('lake', JSON.stringify({ query }), undefined);
      expect({ query, body: answer.body }).toMatchObject({ body: { success: true } });
      const rows = (answer.body as { result: { rows: unknown[] } }).result.rows;
      expect({ query, rows: rows.length }).not.toEqual({ query, rows: 0 });
    }
  });
});
