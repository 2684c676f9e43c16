/** Where the streams' records land. */
export type SinkKind = 'r2' | 'r2-data-catalog';

/** What `schema setup` needs to know. */
export interface SetupOptions {
  /** The Cloudflare account id (wrangler reads it from `CLOUDFLARE_ACCOUNT_ID`). */
  account: string;
  bucket: string;
  sink?: SinkKind;
  /** The stream/table names to set up, e.g. `Object.keys(TABLES)`. */
  tables: readonly string[];
  /** Where the committed schema files are, relative to where the commands run. */
  schemaDir?: string;
  /** strftime partitioning of an `r2` sink (the platform's default, which the local stand-in mirrors). */
  partitioning?: string;
  /** Seconds between file rolls (platform default 300, minimum 60). */
  rollInterval?: number;
  /** The R2 Data Catalog namespace (R2 SQL names tables `namespace.table`). */
  namespace?: string;
}

const SAFE = /^[A-Za-z0-9_./:=@%+-]+$/;

/**
 * Quotes a word for a POSIX shell (single quotes unless it needs none).
 *
 * @example
 * ```ts
 * import { shellQuote } from './to-wrangler-commands.ts';
 * shellQuote("INSERT INTO a SELECT * FROM b"); // "'INSERT INTO a SELECT * FROM b'"
 * ```
 */
export const shellQuote = (word: string): string =>
  SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

const command = (...words: string[]): string => words.map(shellQuote).join(' ');

/**
 * The exact wrangler 4.86 commands that create, for every table, a stream with the committed schema
 * file, a sink (zstd Parquet, partitioned, rolled on an interval) and the pipeline joining them, ready
 * to paste. Lines starting with `#` are comments.
 *
 * @example
 * ```ts
 * import { createSetupCommands } from './to-wrangler-commands.ts';
 * createSetupCommands({ account: '0123…', bucket: 'lake', tables: ['events'] }).join('\n');
 * // export CLOUDFLARE_ACCOUNT_ID=0123…
 * // npx wrangler pipelines streams create events --schema-file schemas/pipelines/events.json
 * // ...
 * ```
 */
export function createSetupCommands(options: SetupOptions): string[] {
  const sink = options.sink ?? 'r2';
  const schemaDir = (options.schemaDir ?? 'schemas/pipelines').replace(/\/+$/, '');
  const partitioning = options.partitioning ?? 'year=%Y/month=%m/day=%d';
  const rollInterval = String(options.rollInterval ?? 300);
  const namespace = options.namespace ?? 'analytics';
  const lines = [
    `# ${options.tables.length} tables → ${sink} sink in bucket ${options.bucket}. Streams cannot be altered once created.`,
    command('export', `CLOUDFLARE_ACCOUNT_ID=${options.account}`),
    `# once per bucket (skip if it exists)`,
    command('npx', 'wrangler', 'r2', 'bucket', 'create', options.bucket),
  ];
  if (sink === 'r2-data-catalog') {
    lines.push(
      command('npx', 'wrangler', 'r2', 'bucket', 'catalog', 'enable', options.bucket),
      '# first, an API token with R2 Data Catalog and R2 Storage write permission:',
      '#   export R2_CATALOG_TOKEN=...   (paste the token; the sink commands read it)',
    );
  }
  for (const table of options.tables) {
    const stream = table;
    const sinkName = `${table}_sink`;
    lines.push(`# ${table}`);
    lines.push(
      command(
        'npx',
        'wrangler',
        'pipelines',
        'streams',
        'create',
        stream,
        '--schema-file',
        `${schemaDir}/${table}.json`,
      ),
    );
    const common = ['--bucket', options.bucket, '--format', 'parquet', '--compression', 'zstd'];
    const sinkArgs =
      sink === 'r2'
        ? [...common, '--path', table, '--partitioning', partitioning, '--roll-interval', rollInterval]
        : [...common, '--namespace', namespace, '--table', table, '--roll-interval', rollInterval];
    const create = command(
      'npx',
      'wrangler',
      'pipelines',
      'sinks',
      'create',
      sinkName,
      '--type',
      sink,
      ...sinkArgs,
    );
    lines.push(sink === 'r2' ? create : `${create} --catalog-token "$R2_CATALOG_TOKEN"`);
    lines.push(
      command(
        'npx',
        'wrangler',
        'pipelines',
        'create',
        `${table}_pipeline`,
        '--sql',
        `INSERT INTO ${sinkName} SELECT * FROM ${stream}`,
      ),
    );
  }
  lines.push(
    '# then bind each stream to the Worker (wrangler.toml), with the stream id `wrangler pipelines streams list` shows:',
    ...options.tables.map(
      (table) =>
        `#   [[pipelines]]\n#   binding = "${table.toUpperCase()}"\n#   pipeline = "<${table} stream id>"`,
    ),
  );
  return lines;
}
