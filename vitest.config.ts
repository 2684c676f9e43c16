import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest files, slowest first: started at once, so no long file begins last and runs alone
 * (vitest orders the rest by its cache of the last run's durations, or by file size without one).
 */
const SLOW_FIRST = [
  'test/node/views/conformance.test.ts',
  'test/node/local/crash-recovery.test.ts',
  'test/node/local/r2sql-limits.test.ts',
  'test/node/local/crash-under-load.test.ts',
  'test/node/jobs/materialize.test.ts',
  'test/node/cli/cli.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = SLOW_FIRST.indexOf(relative(this.ctx.config.root, spec.moduleId));
      return at < 0 ? SLOW_FIRST.length : at;
    };
    return sorted
      .map((spec, order) => ({ spec, order, rank: rank(spec) }))
      .sort((a, b) => a.rank - b.rank || a.order - b.order)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  test: {
    projects: ['test/node/vitest.config.ts', 'test/workers/vitest.config.ts'],
    reporters: ['default', ['json', { outputFile: '.data/test-report.json' }]],
    // Two files at a time on two cores (vitest's default is one fewer than the cores): most files
    // wait on child processes, servers and timeouts as much as they compute. The workers project
    // runs its files one after another in one workerd after the node files (its own config).
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
  },
});
