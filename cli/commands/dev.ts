import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { type LocalStack, startLocalStack } from '../../local/index.ts';
import { createDuckDbEngine } from '../../query/duckdb/index.ts';
import { type QueryEngine, withR2SqlDialect } from '../../query/index.ts';
import { streamViews } from '../../views/library/stream/index.ts';
import { runDemo } from '../dev/run-demo.ts';
import { summarizeStreamViews } from '../dev/stream-view-summary.ts';
import { type RunningWorker, startWorker } from '../dev/start-worker.ts';
import type { Command } from '../command.ts';
import { parseFlags } from '../parse-flags.ts';

const port = z.coerce.number().int().min(0).max(65535);
const flags = z.object({
  port: port.default(8788),
  workerPort: port.default(8787),
  dataDir: z.string().min(1).default('.data'),
  token: z.string().min(1).optional(),
  demo: z.boolean().default(false),
  dos: z.coerce.number().int().min(1).max(1000).default(20),
  actions: z.coerce.number().int().min(1).max(100_000).default(500),
  exit: z.boolean().default(false),
  fresh: z.boolean().default(false),
  faults: z.boolean().default(false),
});

const isPortInUse = (error: unknown): boolean =>
  /EADDRINUSE|address already in use/i.test(
    `${(error as { code?: string })?.code ?? ''} ${(error as Error)?.message ?? ''}`,
  );

/** Says which port is busy and which flag moves it; the exit code of a busy port. */
function portInUse(port: number, flag: string): 1 {
  console.error(
    `port ${port} is already in use: stop what holds it, or pass ${flag} <N> (${flag} 0 picks a free one)`,
  );
  return 1;
}

/**
 * Whether a TCP port on 127.0.0.1 can be bound now. workerd does not report a busy port to Miniflare
 * (it waits), so the Worker's port is probed before starting it.
 */
function portFree(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** How many events the lake already holds (0 when it has no events files yet). */
async function lakeEvents(engine: QueryEngine): Promise<number> {
  try {
    const result = await engine.query<{ n: number | bigint }>('SELECT count(*) AS n FROM analytics.events');
    return Number(result.rows[0]?.n ?? 0);
  } catch {
    return 0;
  }
}

const help = `flags:
  --port N          the stand-ins' port (Pipelines ingest + R2 SQL), default 8788
  --worker-port N   the Worker's port, default 8787
  --data-dir DIR    local state, default .data (the demo uses DIR/demo); kept across restarts
  --fresh           wipe the local state (the lake, the Durable Objects, the WAL) before starting
  --token T         require this bearer token on ingest and R2 SQL
  --demo            drive the demo workload and print the hourly view
  --dos N           demo: Durable Objects, default 20
  --actions N       demo: actions per Durable Object, default 500
  --exit            stop after the demo instead of serving until Ctrl-C
  --faults          enable fault injection (POST /_admin/faults) for testing clients`;

type DevOptions = z.infer<typeof flags>;

/**
 * Starts the stand-ins, then the Worker; a busy port is one line naming the flag to change (exit code
 * 1), and whatever started is closed again.
 */
async function startServices(
  options: DevOptions,
  dataDir: string,
): Promise<{ stack: LocalStack; worker: RunningWorker } | number> {
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      dataDir,
      port: options.port,
      token: options.token,
      faults: options.faults,
      streamViews,
    });
  } catch (error) {
    if (!isPortInUse(error)) throw error;
    return portInUse(options.port, '--port');
  }
  if (!(await portFree(options.workerPort))) {
    await stack.close();
    return portInUse(options.workerPort, '--worker-port');
  }
  let worker: RunningWorker;
  try {
    worker = await startWorker({
      dataDir,
      port: options.workerPort,
      ingestUrl: stack.ingestUrl,
      ingestToken: options.token,
      persist: true,
      refresher: true,
      vars: {
        R2_SQL_ENDPOINT: stack.url,
        R2_ACCOUNT_ID: 'local',
        LAKE_BUCKET: stack.pipelines.config.bucket,
        ...(options.token ? { R2_SQL_TOKEN: options.token } : {}),
      },
    });
  } catch (error) {
    await stack.close();
    if (!isPortInUse(error)) throw error;
    return portInUse(options.workerPort, '--worker-port');
  }
  return { stack, worker };
}

/** `dotdo-analytics dev`: the local stack — stand-ins, the Worker in workerd, and optionally the demo. */
export const command: Command = {
  summary: 'Run the local stack: Pipelines + R2 SQL stand-ins and the Worker (workerd)',
  help,
  async run(argv) {
    const options = parseFlags(argv, flags);
    const started = performance.now();
    const dataDir = options.demo ? join(options.dataDir, 'demo') : options.dataDir;
    if (options.fresh) await rm(dataDir, { recursive: true, force: true });
    const services = await startServices(options, dataDir);
    if (typeof services === 'number') return services;
    const { stack, worker } = services;
    // The demo reads the lake as the Worker's R2 SQL would: checked and translated from R2 SQL's dialect.
    const engine = withR2SqlDialect(await createDuckDbEngine({ lake: stack.pipelines.bucketDir }));
    const stop = async (): Promise<void> => {
      await worker.close();
      await stack.close();
      await engine.close();
    };
    console.log(`Pipelines ingest  POST ${stack.ingestUrl}/events`);
    console.log(
      `R2 SQL            POST ${stack.r2SqlUrl}/accounts/local/r2-sql/query/${stack.pipelines.config.bucket}`,
    );
    console.log(
      `R2 Data Catalog   ${stack.catalogUrl} (Iceberg REST; files at ${stack.filesUrl}/<bucket>/<key>)`,
    );
    console.log(
      `Worker            ${worker.url}/ns/<host>/(actions|flush|seed|pending|events|dead-letters|resend)`,
    );
    console.log(
      `Dashboard         ${stack.url}/ (query API ${stack.url}/api; ${options.token ? 'sign in with the --token' : 'open: any token signs in'})`,
    );
    console.log(
      `Stream views      ${streamViews.map((v) => `${v.key} → analytics.${v.sink.table}`).join(', ')} (the library's; pipelines run at each roll)`,
    );
    console.log(`Rollups           ${worker.url}/rollups (refresher running; query tokens as for /api)`);
    const held = await lakeEvents(engine);
    console.log(
      `Lake              ${stack.pipelines.bucketDir}: ${held === 0 ? 'empty' : `holds ${held.toLocaleString('en-US')} events from earlier runs (--fresh wipes it)`}`,
    );
    if (options.demo) {
      const { table, events } = await runDemo({
        workerUrl: worker.url,
        stackUrl: stack.url,
        engine,
        dos: options.dos,
        actionsPerDo: options.actions,
        log: (line) => console.log(`demo: ${line}`),
      });
      console.log(
        `\nEvents per hour per verb (view events_per_hour, ${events} events, DuckDB over the lake):\n`,
      );
      console.log(table);
      console.log(`\n${await summarizeStreamViews(engine, streamViews)}`);
      console.log(`\nready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    if (options.exit) {
      await stop();
      return 0;
    }
    console.log('\nserving; Ctrl-C to stop');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stop();
    return 0;
  },
};
