import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  compareStreamSchemas,
  isPipelinesSchema,
  type PipelinesSchema,
  renderPipelinesSchema,
  TABLES,
  toPipelinesSchema,
} from '../../schemas/index.ts';
import { createPlanCommands, LakePlanError, type StreamView } from '../../views/index.ts';
import type { Command } from '../command.ts';
import { parseFlags, UsageError } from '../parse-flags.ts';

const DEFAULT_DIR = fileURLToPath(new URL('../../schemas/pipelines', import.meta.url));

const dirFlag = z.string().min(1).default(DEFAULT_DIR);
const generateFlags = z.object({ dir: dirFlag });
const checkFlags = z.object({ dir: dirFlag });
/** The flags of `schema setup`, which `views plan` takes too. */
export const setupFlags = z.object({
  account: z.string().regex(/^[0-9a-f]{32}$/i, 'a Cloudflare account id (32 hex characters)'),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'an R2 bucket name'),
  sink: z.enum(['r2', 'r2-data-catalog']).default('r2'),
  namespace: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'a catalog namespace (lowercase, digits, _)')
    .default('analytics'),
  rollInterval: z.coerce.number().int().min(60).default(300),
  partitioning: z.string().min(1).default('year=%Y/month=%m/day=%d'),
  dir: dirFlag,
});

const help = `subcommands:
  schema generate [--dir DIR]   write the Pipelines stream schema of every table to DIR/<table>.json
                                (default schemas/pipelines), derived from the zod schemas
  schema check [--dir DIR]      compare the zod schemas with the committed JSON: an added optional field
                                passes; a removed, renamed or retyped field, or optional → required, fails
                                naming the field and proposing a versioned stream (<table>_v2). Exit 1 if breaking
  schema setup --account ID --bucket NAME [--sink r2|r2-data-catalog] [--namespace NS]
               [--roll-interval SECONDS] [--partitioning PATTERN] [--dir DIR]
                                print the wrangler commands that create the lake's streams, sinks and
                                pipelines, and how many of the account's 20 of each they use
                                (views plan adds the stream views)`;

function readCommitted(dir: string): Map<string, PipelinesSchema> {
  const committed = new Map<string, PipelinesSchema>();
  if (!existsSync(dir)) return committed;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const path = join(dir, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (cause) {
      throw new Error(`${path}: not JSON (${(cause as Error).message})`);
    }
    if (!isPipelinesSchema(parsed))
      throw new Error(`${path}: not a Pipelines stream schema ({"fields": [...]})`);
    committed.set(file.slice(0, -'.json'.length), parsed);
  }
  return committed;
}

function generate(argv: string[]): number {
  const { dir } = parseFlags(argv, generateFlags);
  mkdirSync(dir, { recursive: true });
  for (const [table, schema] of Object.entries(TABLES)) {
    const path = join(dir, `${table}.json`);
    const text = renderPipelinesSchema(schema);
    const before = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (before === text) {
      console.log(`unchanged ${path}`);
      continue;
    }
    writeFileSync(path, text);
    console.log(`${before === null ? 'created' : 'updated'} ${path}`);
  }
  return 0;
}

function check(argv: string[]): number {
  const { dir } = parseFlags(argv, checkFlags);
  if (!existsSync(dir)) {
    console.error(
      `schema check: ${dir} does not exist; pass --dir with the folder of the committed schemas (default schemas/pipelines)`,
    );
    return 1;
  }
  const committed = readCommitted(dir);
  const names = new Set([...Object.keys(TABLES), ...committed.keys()]);
  let breaking = false;
  let drift = false;
  for (const table of names) {
    const zod = (TABLES as Record<string, z.ZodObject>)[table];
    const result = compareStreamSchemas(
      table,
      committed.get(table),
      zod ? toPipelinesSchema(zod) : undefined,
    );
    if (result.changes.length === 0) {
      console.log(`ok       ${table}`);
      continue;
    }
    drift = true;
    breaking ||= result.breaking;
    console.log(`${result.breaking ? 'BREAKING' : 'changed '} ${table}`);
    for (const change of result.changes) console.log(`  ${change.breaking ? '✗' : '+'} ${change.message}`);
  }
  if (breaking) {
    console.log('\nschema check failed: a breaking change needs a new versioned stream (see above).');
    return 1;
  }
  if (drift)
    console.log('\ncompatible changes only; run `dotdo-analytics schema generate` and commit the JSON.');
  return 0;
}

/**
 * Prints the wrangler commands of the lake and these stream views (none for `schema setup`), after
 * checking the committed schema files are there; a plan over the account's limits is refused (exit 1).
 * The one path behind `schema setup` and `views plan`.
 */
export function printPlan(options: z.output<typeof setupFlags>, views: readonly StreamView[]): number {
  const rel = relative(process.cwd(), options.dir) || '.';
  const missing = Object.keys(TABLES).filter((t) => !existsSync(join(options.dir, `${t}.json`)));
  if (missing.length > 0) {
    console.error(
      `no committed schema for ${missing.join(', ')} in ${rel}: run \`dotdo-analytics schema generate\``,
    );
    return 1;
  }
  let lines: string[];
  try {
    lines = createPlanCommands(
      {
        account: options.account,
        bucket: options.bucket,
        sink: options.sink,
        namespace: options.namespace,
        rollInterval: options.rollInterval,
        partitioning: options.partitioning,
        schemaDir: rel,
      },
      views,
    );
  } catch (error) {
    if (!(error instanceof LakePlanError)) throw error;
    console.error(`refused: ${error.message}`);
    return 1;
  }
  console.log(lines.join('\n'));
  return 0;
}

const setup = (argv: string[]): number => printPlan(parseFlags(argv, setupFlags), []);

const SUBCOMMANDS: Record<string, (argv: string[]) => number> = { generate, check, setup };

/** `dotdo-analytics schema`: generate and check the committed stream schemas; print the setup commands. */
export const command: Command = {
  summary: 'Stream schemas: generate the committed JSON, check for breaking changes, print wrangler setup',
  help,
  async run(argv) {
    const [sub, ...rest] = argv;
    const run = sub ? SUBCOMMANDS[sub] : undefined;
    if (!run) throw new UsageError(sub ? `unknown subcommand "schema ${sub}"` : 'missing subcommand');
    return run(rest);
  },
};
