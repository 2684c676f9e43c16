import { join } from 'node:path';
import { runDemo } from '../../../cli/dev/run-demo.ts';
import { startWorker } from '../../../cli/dev/start-worker.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { hashToken } from '../../../query/api/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { withR2SqlDialect } from '../../../query/index.ts';
import { tempDir } from '../helpers.ts';

/** The demo's namespaces (three objects), and the one a scoped token reads. */
export const DEMO_NAMESPACES = [1, 2, 3].map((i) => `https://startup-0${i}.demo.startups.studio`);
export const NS_A = DEMO_NAMESPACES[0]!;
export const ADMIN_TOKEN = 'dashboard-admin-token';
export const TOKEN_A = 'dashboard-token-a';
/** Events per page the in-browser check downloads in these tests. */
export const VERIFY_PAGE_EVENTS = 25;

/** A local stack with demo data: the Worker's objects record, flush and roll in `rounds` rounds. */
export interface DemoStack {
  stack: LocalStack;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Starts the local stack (port 0, a temp dir) with two query tokens — an admin over every
 * namespace and one bound to {@link NS_A} — and records the demo workload through the example
 * Worker in workerd, one Parquet roll per round (so each round is its own events file).
 */
export async function startDemoStack(rounds: number, actionsPerRound: number): Promise<DemoStack> {
  const temp = await tempDir('dashboard-');
  const dataDir = join(temp.dir, 'data');
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    queryTokens: [
      { name: 'admin', sha256: await hashToken(ADMIN_TOKEN), namespaces: ['*'], admin: true },
      { name: 'a', sha256: await hashToken(TOKEN_A), namespaces: [NS_A] },
    ],
    // Pages smaller than a namespace's events, so the in-browser check follows the cursor.
    dashboard: { verifyPageEvents: VERIFY_PAGE_EVENTS },
  });
  const worker = await startWorker({
    dataDir,
    port: 0,
    ingestUrl: stack.ingestUrl,
    persist: false,
    vars: { R2_SQL_ENDPOINT: stack.url, R2_ACCOUNT_ID: 'local', LAKE_BUCKET: stack.pipelines.config.bucket },
  });
  const engine = withR2SqlDialect(await createDuckDbEngine({ lake: stack.pipelines.bucketDir }));
  try {
    for (let round = 0; round < rounds; round++)
      await runDemo({
        workerUrl: worker.url,
        stackUrl: stack.url,
        engine,
        dos: DEMO_NAMESPACES.length,
        actionsPerDo: actionsPerRound,
      });
  } finally {
    await worker.close();
    await engine.close();
  }
  return {
    stack,
    dataDir,
    async close() {
      await stack.close();
      await temp.remove();
    },
  };
}
