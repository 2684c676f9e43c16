import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { runCli } from './run-cli.ts';

describe('dotdo-analytics dev --demo (what npm start runs)', () => {
  it('runs 20 DOs × 500 actions through workerd, the stand-in and DuckDB, printing the hourly table within 60 s', async () => {
    const temp = await tempDir();
    try {
      const run = await runCli([
        'dev',
        '--demo',
        '--exit',
        '--port',
        '0',
        '--worker-port',
        '0',
        '--data-dir',
        temp.dir,
      ]);
      expect(run.stderr).not.toMatch(/Error/);
      expect(run.code).toBe(0);
      expect(run.ms).toBeLessThan(60_000);
      expect(run.stdout).toContain('outbox empty in all 20 objects');
      expect(run.stdout).toMatch(
        /the Worker reads the lake through R2 SQL: newest of startup-01\S+: #500 \w+\.\w+ https:\/\//,
      );
      expect(run.stdout).toContain('10000 events, DuckDB over the lake');
      const lines = run.stdout.split('\n');
      const header = lines.findIndex((line) => line.startsWith('hour (UTC)'));
      expect(lines[header]).toMatch(/archived\s+created\s+published\s+updated\s+total/);
      const totals = lines
        .slice(header + 2)
        .filter((line) => /^\d{4}-\d{2}-\d{2} \d{2}:00/.test(line))
        .map((line) => Number(line.trim().split(/\s+/).at(-1)));
      expect(totals.length).toBeGreaterThanOrEqual(12);
      expect(totals.reduce((a, b) => a + b, 0)).toBe(10_000);
    } finally {
      await temp.remove();
    }
  });

  it('rejects a bad flag naming it, with exit code 2', async () => {
    const run = await runCli(['dev', '--dos', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--dos: .*number/i);
  });
});
