import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { startLocalStack } from '../../local/index.ts';
import { createDuckDbEngine } from '../../query/duckdb/index.ts';
import { runDemo } from '../dev/run-demo.ts';
import { startWorker } from '../dev/start-worker.ts';
import type { Command } from '../main.ts';
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
  faults: z.boolean().default(false),
});

const help = `flags:
  --port N          the stand-ins' port (Pipelines ingest + R2 SQL), default 8788
  --worker-port N   the Worker's port, default 8787
  --data-dir DIR    local state, default .data (the demo uses DIR/demo, fresh each run)
  --token T         require this bearer token on ingest and R2 SQL
  --demo            drive the demo workload and print the hourly view
  --dos N           demo: Durable Objects, default 20
  --actions N       demo: actions per Durable Object, default 500
  --exit            stop after the demo instead of serving until Ctrl-C
  --faults          enable fault injection (POST /_admin/faults) for testing clients`;

/** `dotdo-analytics dev`: the local stack — stand-ins, the Worker in workerd, and optionally the demo. */
export const command: Command = {
  summary: 'Run the local stack: Pipelines + R2 SQL stand-ins and the Worker (workerd)',
  help,
  async run(argv) {
    const options = parseFlags(argv, flags);
    const started = performance.now();
    const dataDir = options.demo ? join(options.dataDir, 'demo') : options.dataDir;
    if (options.demo) await rm(dataDir, { recursive: true, force: true });
    const stack = await startLocalStack({
      dataDir,
      port: options.port,
      token: options.token,
      faults: options.faults,
    });
    const worker = await startWorker({
      dataDir,
      port: options.workerPort,
      ingestUrl: stack.ingestUrl,
      ingestToken: options.token,
      persist: !options.demo,
      vars: {
        R2_SQL_ENDPOINT: stack.url,
        R2_ACCOUNT_ID: 'local',
        LAKE_BUCKET: stack.pipelines.config.bucket,
        ...(options.token ? { R2_SQL_TOKEN: options.token } : {}),
      },
    });
    const engine = await createDuckDbEngine({ lake: stack.pipelines.bucketDir });
    const stop = async (): Promise<void> => {
      await worker.close();
      await stack.close();
      engine.close();
    };
    console.log(`Pipelines ingest  POST ${stack.ingestUrl}/events`);
    console.log(
      `R2 SQL            POST ${stack.r2SqlUrl}/accounts/local/r2-sql/query/${stack.pipelines.config.bucket}`,
    );
    console.log(`Worker            ${worker.url}/ns/<host>/(actions|flush|seed|pending|events)`);
    console.log(`Lake              ${stack.pipelines.bucketDir}`);
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
