import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { eventRows, post, tempDir } from '../fixtures/events.ts';
import { writeLake } from '../query/api/tenant-lake.ts';

const root = new URL('../../..', import.meta.url).pathname;
let temp: { dir: string; remove: () => Promise<void> };
let lake: string;
let stack: LocalStack;

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['cli/bin.mjs', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The CLI in this process (the real bin is spawned twice below): exit code and what it printed. */
async function inProcess(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(`${a.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(`${a.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.env = saved;
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

beforeAll(async () => {
  temp = await tempDir('dotdo-cli-query-');
  lake = writeLake(`${temp.dir}/lake`, [
    ['https://a.test', false],
    ['https://b.test', false],
  ]);
  stack = await startLocalStack({
    dataDir: `${temp.dir}/stack`,
    port: 0,
    token: 'cli-secret',
    pipelines: { rollIntervalMs: 3_600_000 },
  });
  const auth = { authorization: 'Bearer cli-secret' };
  expect((await post(`${stack.ingestUrl}/events`, eventRows(1, 30), auth)).status).toBe(200);
  await stack.pipelines.rollAsync();
});
afterAll(async () => {
  await stack?.close();
  await temp?.remove();
});

describe('dotdo-analytics query and views', () => {
  it('runs a view on a lake on disk in each text format', async () => {
    const json = await cli(['query', '--view', 'events_per_hour', '--lake', lake, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const rows = (JSON.parse(json.stdout) as { result: { rows: { events: number }[] } }).result.rows;
    expect(rows.reduce((n, r) => n + r.events, 0)).toBe(80); // 2 × 40 events, the 5 re-sent counted once
    const csv = await inProcess(['query', '--view', 'events_per_hour', '--lake', lake, '--format', 'csv']);
    expect(csv.stdout.split('\r\n')[0]).toBe('hour,verb,events');
    const table = await inProcess([
      'query',
      '--sql',
      'SELECT count(DISTINCT ns) AS n FROM analytics.events',
      '--lake',
      lake,
    ]);
    expect(table.stdout).toMatch(/^n\s*\n.*\n\s*2\s*\n\(1 row\)/);
  });

  it('names a bad param and bad flags', async () => {
    const bad = await inProcess([
      'query',
      '--view',
      'events_per_hour',
      '--param',
      'since=yesterday',
      '--lake',
      lake,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_params.*\n\s+--param since: /);
    const both = await inProcess(['query', '--view', 'events_per_hour', '--sql', 'SELECT 1', '--lake', lake]);
    expect([both.code, both.stderr.split('\n')[0]]).toEqual([
      2,
      '--view: give exactly one of --view NAME and --sql "SELECT …"',
    ]);
    const format = await inProcess(['query', '--view', 'x', '--format', 'xml']);
    expect(format.stderr).toMatch(/^--format: /);
  });

  it('queries a running stack with the token from DOTDO_ANALYTICS_TOKEN, 401 without it', async () => {
    const args = ['query', '--view', 'events_per_hour', '--endpoint', stack.url, '--format', 'json'];
    const ok = await cli(args, { DOTDO_ANALYTICS_TOKEN: 'cli-secret' });
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as { result: { rows: unknown[] } }).result.rows.length).toBeGreaterThan(0);
    const refused = await inProcess(args, { DOTDO_ANALYTICS_TOKEN: '' });
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/^error 401 unauthorized: /)]);
    const views = await inProcess(['views', '--endpoint', stack.url, '--json'], {
      DOTDO_ANALYTICS_TOKEN: 'cli-secret',
    });
    expect((JSON.parse(views.stdout) as { name: string }[]).map((v) => v.name)).toContain('events_per_hour');
  });
});
