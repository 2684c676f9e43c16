import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';
import { QUERY_TOKENS } from './query-api-tokens.ts';

const root = new URL('../..', import.meta.url).pathname;

export default defineProject({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: `${root}wrangler.toml` },
      // Alarms would flush on their own a second after each write; the tests drive them explicitly.
      miniflare: {
        bindings: {
          INGEST_URL: `${inject('stackUrl')}/streams`,
          FLUSH_DELAY_MS: '3600000',
          EMITTER_BATCH_ROWS: '100',
          R2_SQL_ENDPOINT: inject('stackUrl'),
          PAYMENTS_URL: inject('paymentsUrl'),
          QUERY_TOKENS: JSON.stringify(QUERY_TOKENS),
        },
      },
    })),
  ],
  test: {
    name: 'workers',
    root,
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/global-setup.ts'],
    testTimeout: 60_000,
    // One file at a time (they share the stand-ins of the global setup), all in one workerd: vitest
    // starts a runtime per file when isolated, and re-importing the Worker's modules into each fresh
    // runtime cost more than the tests themselves (import 124 s vs tests 89 s for 24 files). Storage
    // lives as long as the runtime, so each file addresses Durable Objects of its own names. A group of
    // its own (vitest runs groups one after another): a non-isolated single worker may not share a group
    // with the two-worker node project.
    fileParallelism: false,
    isolate: false,
    sequence: { groupOrder: 1 },
  },
});
