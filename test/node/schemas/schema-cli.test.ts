import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { command } from '../../../cli/commands/schema.ts';
import { main } from '../../../cli/main.ts';
import { TABLES } from '../../../schemas/index.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const committedDir = join(root, 'schemas/pipelines');
const account = '0123456789abcdef0123456789abcdef';

let out: string[];
let dir: string;
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  dir = mkdtempSync(join(tmpdir(), 'schema-cli-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('dotdo-analytics schema generate', () => {
  it('writes exactly the committed files', async () => {
    expect(await command.run(['generate', '--dir', dir])).toBe(0);
    for (const table of Object.keys(TABLES)) {
      expect(readFileSync(join(dir, `${table}.json`), 'utf8')).toBe(
        readFileSync(join(committedDir, `${table}.json`), 'utf8'),
      );
    }
    out = [];
    expect(await command.run(['generate', '--dir', dir])).toBe(0);
    expect(out.every((line) => line.startsWith('unchanged'))).toBe(true);
  });
});

describe('dotdo-analytics schema check', () => {
  it('passes against the committed JSON', async () => {
    expect(await command.run(['check'])).toBe(0);
    expect(out).toEqual(Object.keys(TABLES).map((t) => `ok       ${t}`));
  });

  it('fails with exit 1 when the zod side lost a committed field, naming it and proposing <table>_v2', async () => {
    cpSync(committedDir, dir, { recursive: true });
    const events = JSON.parse(readFileSync(join(dir, 'events.json'), 'utf8'));
    events.fields.push({ name: 'tenant', type: 'string', required: false });
    writeFileSync(join(dir, 'events.json'), JSON.stringify(events));
    expect(await command.run(['check', '--dir', dir])).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/BREAKING events/);
    expect(text).toMatch(/events\.tenant: field removed .*events_v2/);
    expect(text).toMatch(/ok {7}things/);
  });

  it('passes (exit 0) a compatible change and asks for generate', async () => {
    cpSync(committedDir, dir, { recursive: true });
    const things = JSON.parse(readFileSync(join(dir, 'things.json'), 'utf8'));
    things.fields = things.fields.filter((f: { name: string }) => f.name !== 'name'); // zod has it, optional
    writeFileSync(join(dir, 'things.json'), JSON.stringify(things));
    expect(await command.run(['check', '--dir', dir])).toBe(0);
    expect(out.join('\n')).toMatch(/things\.name: new optional field \(string\) — compatible/);
    expect(out.join('\n')).toMatch(/schema generate/);
  });

  it('rejects a file that is not a stream schema, naming it', async () => {
    writeFileSync(join(dir, 'events.json'), '{"columns": []}');
    await expect(command.run(['check', '--dir', dir])).rejects.toThrow(
      /events\.json: not a Pipelines stream schema/,
    );
  });
});

describe('dotdo-analytics schema setup', () => {
  it('prints the lake topology: three streams, a sink per table, the events stream fanned out', async () => {
    expect(await command.run(['setup', '--account', account, '--bucket', 'lake'])).toBe(0);
    const lines = out.join('\n').split('\n');
    expect(lines).toContain(`export CLOUDFLARE_ACCOUNT_ID=${account}`);
    const streams = lines.filter((l) => l.startsWith('npx wrangler pipelines streams create'));
    expect(streams).toEqual(
      ['events', 'checkpoints', 'rollups'].map(
        (s) => `npx wrangler pipelines streams create ${s} --schema-file schemas/pipelines/${s}.json`,
      ),
    );
    for (const table of Object.keys(TABLES)) {
      expect(lines).toContain(
        `npx wrangler pipelines sinks create ${table}_sink --type r2 --bucket lake --format parquet --compression zstd --path ${table} --partitioning year=%Y/month=%m/day=%d --roll-interval 300`,
      );
    }
    const pipelines = lines.filter((l) => l.startsWith('npx wrangler pipelines create'));
    expect(pipelines).toHaveLength(5);
    expect(pipelines).toContain(
      `npx wrangler pipelines create events_pipeline --sql 'INSERT INTO events_sink SELECT * FROM events'`,
    );
    expect(pipelines.find((l) => l.includes('things_pipeline'))).toMatch(
      /--sql 'INSERT INTO things_sink SELECT .* FROM events WHERE output_version IS NOT NULL'$/,
    );
    expect(pipelines.find((l) => l.includes('actions_pipeline'))).toMatch(
      /INSERT INTO actions_sink SELECT .* FROM events/,
    );
    expect(pipelines).toContain(
      `npx wrangler pipelines create checkpoints_pipeline --sql 'INSERT INTO checkpoints_sink SELECT * FROM checkpoints'`,
    );
  });

  it('prints an R2 Data Catalog (Iceberg) sink per table with --sink r2-data-catalog', async () => {
    const argv = [
      'setup',
      '--account',
      account,
      '--bucket',
      'lake',
      '--sink',
      'r2-data-catalog',
      '--roll-interval',
      '60',
    ];
    expect(await command.run(argv)).toBe(0);
    const lines = out.join('\n').split('\n');
    expect(lines).toContain('npx wrangler r2 bucket catalog enable lake');
    expect(lines).toContain(
      'npx wrangler pipelines sinks create events_sink --type r2-data-catalog --bucket lake --format parquet --compression zstd --namespace analytics --table events --roll-interval 60 --catalog-token "$R2_CATALOG_TOKEN"',
    );
    expect(lines.some((l) => l.includes('--partitioning'))).toBe(false);
  });

  it('names a bad flag (exit 2 through main)', async () => {
    expect(await main(['schema', 'setup', '--account', 'nope', '--bucket', 'lake'])).toBe(2);
    expect(out.join('\n')).toMatch(/--account: a Cloudflare account id/);
    out = [];
    expect(await main(['schema', 'frobnicate'])).toBe(2);
    expect(out.join('\n')).toMatch(/unknown subcommand "schema frobnicate"/);
  });

  it('uses only flags wrangler 4.86 itself documents', async () => {
    await command.run(['setup', '--account', account, '--bucket', 'lake']);
    await command.run(['setup', '--account', account, '--bucket', 'lake', '--sink', 'r2-data-catalog']);
    const wrangler = join(root, 'node_modules/wrangler/bin/wrangler.js');
    const help = async (...args: string[]): Promise<string> =>
      (await promisify(execFile)(process.execPath, [wrangler, ...args, '--help'], { cwd: root })).stdout;
    const helps: Record<string, string> = {
      'pipelines streams create': await help('pipelines', 'streams', 'create'),
      'pipelines sinks create': await help('pipelines', 'sinks', 'create'),
      'pipelines create': await help('pipelines', 'create'),
    };
    const commands = out
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('npx wrangler pipelines'));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) {
      const key = Object.keys(helps).find((k) => line.startsWith(`npx wrangler ${k} `))!;
      expect(key, line).toBeDefined();
      for (const flag of line.match(/ --[a-z-]+/g) ?? [])
        expect(helps[key], `${flag} in ${line}`).toContain(`${flag.trim()} `);
    }
  }, 60_000);
});
