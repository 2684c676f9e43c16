import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import { runCli } from './run-cli.ts';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('dotdo-analytics (the real bin)', () => {
  it('--help lists every command with a one-line description', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    const commands = run.stdout
      .split('\n')
      .filter((line) => /^ {2}\S+ {2,}\S/.test(line))
      .map((line) => line.trim().split(/\s{2,}/));
    expect(commands.map(([name]) => name)).toEqual([
      'dev',
      'replay',
      'schema',
      'query',
      'views',
      'verify',
      'backfill',
      'help',
    ]);
    for (const [, summary] of commands) expect(summary!.length).toBeGreaterThan(20);
    expect((await runCli([])).code).toBe(2);
  });

  it('--version and help <command> work', async () => {
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `dotdo-analytics ${pkg.version}\n` });
    const help = await runCli(['help', 'schema']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^dotdo-analytics schema: /);
    expect(help.stdout).toContain('schema check [--dir DIR]');
    expect((await runCli(['help', 'dev'])).stdout).toContain('--fresh');
    const unknown = await runCli(['help', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('schema check --dir <missing> fails, naming the folder', async () => {
    const run = await runCli(['schema', 'check', '--dir', '/no/such/schemas']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\/no\/such\/schemas does not exist/);
  });

  it.each([
    ['--port', ['--worker-port', '0']],
    ['--worker-port', ['--port', '0']],
  ])('a busy port is one line naming it and %s, not a stack', async (flag, others) => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const temp = await tempDir('dotdo-cli-port-');
    try {
      const run = await runCli(['dev', '--exit', flag, String(port), ...others, '--data-dir', temp.dir]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        `port ${port} is already in use: stop what holds it, or pass ${flag} <N> (${flag} 0 picks a free one)`,
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await temp.remove();
    }
  });

  it('npm start keeps the lake across restarts and says what it holds; --fresh wipes it; long runs show progress', async () => {
    const temp = await tempDir('dotdo-cli-lake-');
    const demo = (...more: string[]) =>
      runCli([
        'dev',
        '--demo',
        '--exit',
        '--port',
        '0',
        '--worker-port',
        '0',
        '--data-dir',
        temp.dir,
        '--dos',
        '2',
        ...more,
      ]);
    try {
      const first = await demo('--actions', '1500');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Lake {14}\S+: empty/);
      expect(first.stdout).toContain('demo: recording: 2,000 of 3,000 actions (67 %)');
      expect(first.stdout).toContain('demo: recording: 3,000 of 3,000 actions (100 %)');
      expect(first.stdout).toMatch(/demo: flushing: [\d,]+ of [\d,]+ events sent \(2 of 2 objects done\)/);

      const second = await demo('--actions', '10');
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(
        `Lake              ${join(temp.dir, 'demo/r2/lake')}: holds 3,000 events from earlier runs (--fresh wipes it)`,
      );
      expect(second.stdout).toContain('3020 events, DuckDB over the lake');

      const fresh = await demo('--actions', '10', '--fresh');
      expect(fresh.code).toBe(0);
      expect(fresh.stdout).toMatch(/Lake {14}\S+: empty/);
      expect(fresh.stdout).toContain('20 events, DuckDB over the lake');
    } finally {
      await temp.remove();
    }
    // Three demo runs, each through workerd, the stand-in and DuckDB: room for a shared machine.
  }, 180_000);
});
