import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { builtInRegistry } from '../../query/api/index.ts';
import {
  isStreamView,
  type StreamView,
  ViewDefinitionError,
  type ViewCatalogEntry,
} from '../../views/index.ts';
import { streamViews as libraryStreamViews } from '../../views/library/stream/index.ts';
import type { Command } from '../command.ts';
import { parseFlags, UsageError } from '../parse-flags.ts';
import { createQueryClient } from '../query/query-client.ts';
import { printPlan, setupFlags } from './schema.ts';

const flags = z.object({ endpoint: z.string().min(1).optional(), json: z.boolean().default(false) });

const planFlags = setupFlags.extend({ views: z.string().min(1).optional() });

const help = `dotdo-analytics views [--endpoint URL] [--json]

  Lists the views: name@version, description and params (name: type, * required).
  --endpoint URL   the catalog of a running query API (token from DOTDO_ANALYTICS_TOKEN); default: the
                   views built into this package
  --json           the catalog as JSON (params as JSON Schema)

dotdo-analytics views plan --account ID --bucket NAME [--views MODULE] [--sink r2|r2-data-catalog]
                           [--namespace NS] [--roll-interval SECONDS] [--partitioning PATTERN] [--dir DIR]

  Prints the wrangler commands that create the lake's streams, sinks and pipelines plus a sink and a
  pipeline per stream view, headed by how many of the account's 20 streams, 20 sinks and 20 pipelines
  the plan uses; a plan over a limit is refused (exit 1). The same commands as \`schema setup\`.
  --views MODULE   a module whose exports (single views or arrays) hold the stream views; default: the
                   library's stream views (views/library/stream)`;

/** The stream views a module exports, as values or in arrays, once each. */
async function loadStreamViews(path: string): Promise<StreamView[]> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (cause) {
    if (cause instanceof ViewDefinitionError) throw cause;
    throw new UsageError(
      `--views ${path}: cannot load the module (${(cause as Error).message.split('\n')[0]})`,
    );
  }
  const byKey = new Map<string, StreamView>();
  for (const value of Object.values(module))
    for (const item of Array.isArray(value) ? value : [value])
      if (isStreamView(item)) byKey.set(item.key, item);
  if (byKey.size === 0) throw new UsageError(`--views ${path}: the module exports no stream view`);
  return [...byKey.values()];
}

async function plan(argv: string[]): Promise<number> {
  const options = parseFlags(argv, planFlags);
  let views: StreamView[];
  try {
    views = options.views ? await loadStreamViews(options.views) : [...libraryStreamViews];
  } catch (error) {
    if (!(error instanceof ViewDefinitionError)) throw error;
    console.error(`refused: ${error.message}`);
    return 1;
  }
  return printPlan(options, views);
}

function typeOf(schema: Record<string, unknown>): string {
  if (typeof schema.type === 'string') return schema.type;
  const members = (schema.anyOf ?? schema.oneOf) as Record<string, unknown>[] | undefined;
  if (members) return [...new Set(members.map(typeOf).filter((t) => t !== 'any'))].join('|') || 'any';
  return Array.isArray(schema.enum) ? schema.enum.join('|') : 'any';
}

function describe(entry: ViewCatalogEntry): string {
  const properties = (entry.params.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((entry.params.required ?? []) as string[]);
  const params = Object.entries(properties).map(
    ([name, schema]) =>
      `    --param ${name}=<${typeOf(schema)}>${required.has(name) ? ' *' : ''}${schema.description ? `  ${schema.description}` : ''}`,
  );
  return [`${entry.key}${entry.current ? '' : ' (older version)'}  ${entry.description}`, ...params].join(
    '\n',
  );
}

/** `dotdo-analytics views`: the view catalog, built in or from a running query API. */
export const command: Command = {
  summary:
    'list the views (names, versions, descriptions, params) built in or served by --endpoint; `views plan`: the wrangler commands of the lake and its stream views',
  help,
  async run(argv) {
    if (argv[0] === 'plan') return plan(argv.slice(1));
    const f = parseFlags(argv, flags);
    let catalog: ViewCatalogEntry[];
    if (f.endpoint) {
      const token = process.env.DOTDO_ANALYTICS_TOKEN;
      const client = await createQueryClient({ endpoint: f.endpoint, ...(token ? { token } : {}) });
      const response = await client.request('/views');
      const text = await response.text();
      if (!response.ok) throw new UsageError(`--endpoint answered ${response.status}: ${text.slice(0, 300)}`);
      catalog = (JSON.parse(text) as { views: ViewCatalogEntry[] }).views;
    } else catalog = builtInRegistry().catalog();
    console.log(f.json ? JSON.stringify(catalog, null, 2) : catalog.map(describe).join('\n\n'));
    return 0;
  },
};
