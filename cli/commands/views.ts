import { z } from 'zod';
import { builtInRegistry } from '../../query/api/index.ts';
import type { ViewCatalogEntry } from '../../views/index.ts';
import type { Command } from '../command.ts';
import { parseFlags, UsageError } from '../parse-flags.ts';
import { createQueryClient } from '../query/query-client.ts';

const flags = z.object({ endpoint: z.string().min(1).optional(), json: z.boolean().default(false) });

const help = `dotdo-analytics views [--endpoint URL] [--json]

  Lists the views: name@version, description and params (name: type, * required).
  --endpoint URL   the catalog of a running query API (token from DOTDO_ANALYTICS_TOKEN); default: the
                   views built into this package
  --json           the catalog as JSON (params as JSON Schema)`;

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
  summary: 'list the views (names, versions, descriptions, params) built in or served by --endpoint',
  help,
  async run(argv) {
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
