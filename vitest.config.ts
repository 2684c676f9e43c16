import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['test/node/vitest.config.ts', 'test/workers/vitest.config.ts'],
    reporters: ['default', ['json', { outputFile: '.data/test-report.json' }]],
  },
});
