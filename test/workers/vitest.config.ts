import { createHash } from 'node:crypto';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';

const root = new URL('../..', import.meta.url).pathname;
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
// The query API's tokens in the tests (test/workers/query-api.test.ts): a tenant and an admin.
const QUERY_TOKENS = JSON.stringify([
  { name: 'tenant', sha256: sha256('qapi-tenant'), namespaces: ['https://*.qapi.test'] },
  { name: 'admin', sha256: sha256('qapi-admin'), namespaces: ['*'], admin: true },
]);

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
          QUERY_TOKENS,
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
    fileParallelism: false,
  },
});
