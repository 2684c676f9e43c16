import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalStack } from '../../local/index.ts';
import { startPayments } from './payments-stand-in.ts';
import { QUERY_TOKENS } from './query-api-tokens.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the local stand-ins, reachable from inside workerd. */
    stackUrl: string;
    /** Base URL of the payments API the Customer example charges through. */
    paymentsUrl: string;
  }
}

/** Starts the real local stand-ins (and the payments API) on free loopback ports for the workerd tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dotdo-workers-'));
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    faults: true,
    pipelines: { rollIntervalMs: 3_600_000 },
    queryTokens: QUERY_TOKENS,
  });
  const payments = await startPayments();
  project.provide('stackUrl', stack.url);
  project.provide('paymentsUrl', payments.url);
  return async () => {
    await payments.close();
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  };
}
