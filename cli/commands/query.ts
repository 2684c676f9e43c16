import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Command } from '../command.ts';
import { formatTable } from '../dev/format-table.ts';
import { UsageError } from '../parse-flags.ts';
import { createQueryClient, type QueryTarget } from '../query/query-client.ts';

const flags = z
  .object({
    view: z
      .string()
      .regex(/^[a-z][a-z0-9_]*(@[1-9]\d*)?$/, 'a view name, e.g. events_per_hour')
      .optional(),
    sql: z.string().min(1).max(100_000).optional(),
    param: z.array(z.string().regex(/^[A-Za-z_][\w.]*=/, 'k=v, e.g. --param since=2026-11-01')).default([]),
    format: z.enum(['table', 'json', 'csv', 'arrow']).default('table'),
    lake: z.string().min(1).optional(),
    endpoint: z.string().min(1).optional(),
  })
  .refine((f) => (f.view === undefined) !== (f.sql === undefined), {
    message: 'give exactly one of --view NAME and --sql "SELECT …"',
    path: ['view'],
  })
  .refine((f) => !(f.lake && f.endpoint), { message: 'give --lake or --endpoint, not both', path: ['lake'] })
  .refine((f) => !(f.sql && f.param.length > 0), { message: '--param goes with --view', path: ['param'] });

const help = `dotdo-analytics query --view NAME [--param k=v …] [--format table|json|csv|arrow]
                       [--lake DIR | --endpoint URL]
dotdo-analytics query --sql "SELECT …" [--format …] [--lake DIR | --endpoint URL]

  --view NAME      a view of the catalog (dotdo-analytics views), NAME or NAME@VERSION
  --param k=v      a view param, repeated; values are read by the param's type (numbers, booleans,
                   times as ISO text, dates or epoch ms)
  --sql "…"        raw R2 SQL (an admin token over --endpoint; any on a --lake of your own)
  --format         table (default), json, csv, arrow (an Arrow IPC stream: pipe it to a file)
  --lake DIR       query a lake on disk with DuckDB (the r2 layout, e.g. .data/demo/r2/lake)
  --endpoint URL   query a running query API (the local stack, default http://127.0.0.1:8788, or a Worker)
The token for --endpoint is read from DOTDO_ANALYTICS_TOKEN.`;

function parse(argv: string[]) {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        view: { type: 'string' },
        sql: { type: 'string' },
        param: { type: 'string', multiple: true },
        format: { type: 'string' },
        lake: { type: 'string' },
        endpoint: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new UsageError((cause as Error).message);
  }
  const parsed = flags.safeParse(values);
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues.map((i) => `--${String(i.path[0] ?? 'view')}: ${i.message}`).join('\n'),
    );
  return parsed.data;
}

function printError(status: number, text: string): void {
  try {
    const { error } = JSON.parse(text) as {
      error: { code: string; message: string; issues?: { field: string; message: string }[] };
    };
    console.error(`error ${status} ${error.code}: ${error.message}`);
    for (const issue of error.issues ?? []) console.error(`  --param ${issue.field}: ${issue.message}`);
  } catch {
    console.error(`error ${status}: ${text.slice(0, 500)}`);
  }
}

async function print(response: Response, format: string): Promise<void> {
  if (format === 'arrow') {
    process.stdout.write(new Uint8Array(await response.arrayBuffer()));
    return;
  }
  if (format !== 'table') {
    process.stdout.write(await response.text());
    if (format === 'json') process.stdout.write('\n');
    return;
  }
  const { result } = (await response.json()) as {
    result: { schema: { name: string }[]; rows: Record<string, unknown>[] };
  };
  const header = result.schema.map((c) => c.name);
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? ''
      : typeof v === 'number'
        ? v
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  console.log(
    formatTable(
      header,
      result.rows.map((row) => header.map((h) => cell(row[h]))),
    ),
  );
  console.log(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
}

/** `dotdo-analytics query`: a view (or raw SQL) through the query API, printed in a format. */
export const command: Command = {
  summary: 'run a view (or --sql) on a lake on disk or a running query API; table, json, csv or arrow',
  help,
  async run(argv) {
    const f = parse(argv);
    if (f.format === 'arrow' && process.stdout.isTTY)
      throw new UsageError('--format arrow writes binary: redirect it to a file (> out.arrows)');
    const token = process.env.DOTDO_ANALYTICS_TOKEN;
    const target: QueryTarget = f.lake
      ? { lake: f.lake }
      : { endpoint: f.endpoint ?? 'http://127.0.0.1:8788', ...(token ? { token } : {}) };
    const client = await createQueryClient(target);
    try {
      const wire = f.format === 'table' ? 'json' : f.format;
      const response = f.view
        ? await client.request(
            `/views/${f.view}?${new URLSearchParams([...f.param.map((p) => p.split(/=(.*)/s).slice(0, 2) as [string, string]), ['format', wire]])}`,
          )
        : await client.request(`/sql?format=${wire}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sql: f.sql }),
          });
      if (!response.ok) {
        printError(response.status, await response.text());
        return 1;
      }
      await print(response, f.format);
      return 0;
    } finally {
      await client.close();
    }
  },
};
