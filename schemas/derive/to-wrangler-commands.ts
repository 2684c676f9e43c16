import { TABLES } from '../tables.ts';
import { LAKE_TOPOLOGY, type LakePipeline, type LakeStream } from './lake-topology.ts';

/**
 * What the commands create: the lake's topology, or a larger one (stream views add a sink and a
 * pipeline each, writing a table of their own).
 */
export interface SetupTopology {
  streams: readonly LakeStream[];
  sinks: readonly { name: string; table: string }[];
  pipelines: readonly LakePipeline[];
}

/** Where the streams' records land. */
export type SinkKind = 'r2' | 'r2-data-catalog';

/** What `schema setup` needs to know. */
export interface SetupOptions {
  /** The Cloudflare account id (wrangler reads it from `CLOUDFLARE_ACCOUNT_ID`). */
  account: string;
  bucket: string;
  sink?: SinkKind;
  /** The streams, sinks and pipelines to create (default {@link LAKE_TOPOLOGY}). */
  topology?: SetupTopology;
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
 * The exact wrangler 4.86 commands that create the lake's streams (with the committed schema files),
 * a sink per table (zstd Parquet, partitioned, rolled on an interval) and the pipelines joining them
 * ({@link LAKE_TOPOLOGY}), ready to paste. Lines starting with `#` are comments.
 *
 * @example
 * ```ts
 * import { createSetupCommands } from './to-wrangler-commands.ts';
 * createSetupCommands({ account: '0123…', bucket: 'lake' }).join('\n');
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
    `# ${Object.keys(TABLES).length} tables → ${sink} sinks in bucket ${options.bucket}. Streams cannot be altered once created.`,
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
  const topology = options.topology ?? LAKE_TOPOLOGY;
  lines.push(`# streams: ${topology.streams.map((s) => s.name).join(', ')}`);
  for (const stream of topology.streams) {
    lines.push(
      command(
        'npx',
        'wrangler',
        'pipelines',
        'streams',
        'create',
        stream.name,
        '--schema-file',
        `${schemaDir}/${stream.table}.json`,
      ),
    );
  }
  lines.push(`# sinks: one per table`);
  for (const target of topology.sinks) {
    const common = ['--bucket', options.bucket, '--format', 'parquet', '--compression', 'zstd'];
    const sinkArgs =
      sink === 'r2'
        ? [...common, '--path', target.table, '--partitioning', partitioning, '--roll-interval', rollInterval]
        : [...common, '--namespace', namespace, '--table', target.table, '--roll-interval', rollInterval];
    const create = command(
      'npx',
      'wrangler',
      'pipelines',
      'sinks',
      'create',
      target.name,
      '--type',
      sink,
      ...sinkArgs,
    );
    lines.push(sink === 'r2' ? create : `${create} --catalog-token "$R2_CATALOG_TOKEN"`);
  }
  lines.push('# pipelines: the events stream fans out to events, things, actions (and any stream views)');
  for (const pipeline of topology.pipelines) {
    lines.push(
      command(
        'npx',
        'wrangler',
        'pipelines',
        'create',
        pipeline.name,
        '--sql',
        pipeline.sql.replace(/\s+/g, ' '),
      ),
    );
  }
  lines.push(
    '# then bind each stream to the Worker (wrangler.toml), with the stream id `wrangler pipelines streams list` shows:',
    ...topology.streams.map(
      (stream) =>
        `#   [[pipelines]]\n#   binding = "${stream.name.toUpperCase()}"\n#   pipeline = "<${stream.name} stream id>"`,
    ),
  );
  return lines;
}
