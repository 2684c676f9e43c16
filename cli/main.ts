/**
 * `dotdo-analytics`: the command line. Each command lives in `commands/<name>.ts` and exports `command`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Command } from './command.ts';
import { UsageError } from './parse-flags.ts';

export type { Command } from './command.ts';

/** A registered command: its one-line summary (shown without loading it) and its module. */
interface Entry {
  summary: string;
  load: () => Promise<{ command: Command }>;
}

const COMMANDS: Record<string, Entry> = {
  dev: {
    summary: 'run the local stack: Pipelines + R2 SQL stand-ins and the Worker; --demo drives a workload',
    load: () => import('./commands/dev.ts'),
  },
  replay: {
    summary:
      'copy an R2 lake (directory, s3://, or R2 Data Catalog) into a local lake DuckDB reads; resumable',
    load: () => import('./commands/replay.ts'),
  },
  schema: {
    summary: 'stream schemas: generate the committed JSON, check for breaking changes, print wrangler setup',
    load: () => import('./commands/schema.ts'),
  },
  query: {
    summary: 'run a view (or --sql) on a lake on disk or a running query API; table, json, csv or arrow',
    load: () => import('./commands/query.ts'),
  },
  views: {
    summary: 'list the views (names, versions, descriptions, params) built in or served by --endpoint',
    load: () => import('./commands/views.ts'),
  },
  verify: {
    summary:
      'verify the audit trail: every hash, link, gap, duplicate, checkpoint and signature; exit 1 naming each problem',
    load: () => import('./commands/verify.ts'),
  },
  backfill: {
    summary:
      'recompute a range of a rollup (--view NAME[@V] --from T --to T) in chunks, with progress; resumable',
    load: () => import('./commands/backfill.ts'),
  },
};
const HELP_SUMMARY = 'show the flags of a command: dotdo-analytics help <command>';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function usage(): string {
  const listed: [string, string][] = [
    ...Object.entries(COMMANDS).map(([name, entry]): [string, string] => [name, entry.summary]),
    ['help', HELP_SUMMARY],
  ];
  const width = Math.max(...listed.map(([name]) => name.length));
  return [
    'usage: dotdo-analytics <command> [flags]',
    '',
    'commands:',
    ...listed.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    'flags: --help (-h) this help, --version (-v) the version',
    'dotdo-analytics help <command> (or <command> --help) for its flags',
  ].join('\n');
}

async function helpOf(name: string | undefined): Promise<number> {
  if (!name || name === 'help') {
    console.log(usage());
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const { command } = await entry.load();
  console.log(`dotdo-analytics ${name}: ${entry.summary}\n\n${command.help}`);
  return 0;
}

/**
 * Runs the CLI and resolves to its exit code.
 *
 * @example
 * ```ts
 * import { main } from './main.ts';
 * process.exitCode = await main(['dev', '--demo']);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    console.error(usage());
    return 2;
  }
  if (name === '--help' || name === '-h') return helpOf(undefined);
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(`dotdo-analytics ${version()}`);
    return 0;
  }
  if (name === 'help') return helpOf(rest[0]);
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) return helpOf(name);
  const { command } = await entry.load();
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${command.help}`);
      return 2;
    }
    throw error;
  }
}
