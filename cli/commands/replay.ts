import { z } from 'zod';
import {
  createProgressReporter,
  credentialsFromEnv,
  formatBytes,
  isReplayError,
  parseReplaySource,
  ReplayError,
  replay,
} from '../../jobs/replay/index.ts';
import type { Command } from '../command.ts';
import { parseFlags, UsageError } from '../parse-flags.ts';

const flags = z.object({
  source: z
    .string({ error: 'required: a directory, s3://bucket/prefix or an Iceberg REST catalog URI' })
    .min(1),
  to: z.string({ error: 'required: the local lake directory to write' }).min(1),
  concurrency: z.coerce.number().int().min(1).max(64).default(8),
  timeout: z.coerce.number().positive().max(3600).default(30),
  attempts: z.coerce.number().int().min(1).max(10).default(3),
  endpoint: z.string().url('an http(s) URL').optional(),
  warehouse: z.string().min(1).optional(),
  quiet: z.boolean().default(false),
});

const help = `dotdo-analytics replay --source <dir | s3://bucket/prefix | catalog URI> --to <dir> [flags]

Copies the live files of every table into a local lake that the DuckDB engine reads
(<to>/<table>/… for r2-sink tables, <to>/__r2_data_catalog/<ns>/<table>/ for catalog tables):
only each catalog table's current snapshot, never files a compaction replaced. Every file is
checked (size, ETag, the manifest's row count); a run that stops can be started again and
fetches only what is missing, cut short or altered (<to>/.replay/finished.jsonl).

flags:
  --source SRC        a bucket-shaped directory, s3://bucket/prefix (R2's S3 API), or an Iceberg
                      REST catalog URI (R2 Data Catalog: https://catalog.cloudflarestorage.com/<account>/<bucket>;
                      the local stack prints its own)
  --to DIR            the local lake to write
  --concurrency N     files fetched at once (default 8, at most 64)
  --timeout SECONDS   give up on a request that sends nothing for this long (default 30)
  --attempts N        tries per file before failing (default 3)
  --endpoint URL      R2's S3 API endpoint (default R2_ENDPOINT, or from R2_ACCOUNT_ID)
  --warehouse NAME    the catalog warehouse, <account>_<bucket> (default: from the URI)
  --quiet             no progress line

environment: R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_ENDPOINT or R2_ACCOUNT_ID (S3 API, signed
with SigV4); R2_CATALOG_TOKEN (the catalog's bearer token; the local stack's --token)`;

/** `dotdo-analytics replay`: thin over jobs/replay. */
export const command: Command = {
  summary: 'copy an R2 lake (directory, s3://, or R2 Data Catalog) into a local lake DuckDB reads; resumable',
  help,
  async run(argv) {
    const options = parseFlags(argv, flags);
    let spec: ReturnType<typeof parseReplaySource>;
    try {
      spec = parseReplaySource(options.source);
    } catch (error) {
      if (isReplayError(error)) throw new UsageError(`--source: ${error.message}`);
      throw error;
    }
    const credentials = {
      ...credentialsFromEnv(process.env),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.warehouse ? { warehouse: options.warehouse } : {}),
    };
    const reporter = options.quiet ? null : createProgressReporter(process.stderr);
    let last: Parameters<NonNullable<typeof reporter>['done']>[0] | null = null;
    try {
      const result = await replay({
        source: spec,
        to: options.to,
        credentials,
        concurrency: options.concurrency,
        attempts: options.attempts,
        idleMs: options.timeout * 1000,
        onProgress: (progress) => {
          last = progress;
          reporter?.update(progress);
        },
      });
      if (reporter && last) reporter.done(last);
      for (const table of result.tables) {
        const rows = table.rows === undefined ? '' : `, ${table.rows.toLocaleString('en-US')} rows`;
        console.log(
          `${table.name} (${table.kind}): ${table.files} files, ${formatBytes(table.bytes)}${rows}`,
        );
      }
      console.log(
        `replayed into ${options.to}: ${result.fetched} fetched, ${result.skipped} already there, ${result.retried} refetched after a failed check, ${result.removed} stale removed, ${(result.elapsedMs / 1000).toFixed(1)} s`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof ReplayError)) throw error;
      console.error(`replay failed [${error.code}]: ${error.message}`);
      if (['timeout', 'source_failed', 'corrupt_file'].includes(error.code)) {
        console.error('finished files are kept: run the same command again to resume');
      }
      return 1;
    }
  },
};
