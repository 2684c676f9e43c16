/**
 * Runs every benchmark (`npm run bench`) and writes bench/RESULTS.md with the machine they ran on.
 * Benchmarks are not tests: they print ratios against a baseline from the same run.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { benchIngest } from './ingest.bench.ts';
import { type BenchReport, describeMachine } from './machine.ts';
import { benchR2SqlStandIn } from './r2sql-stand-in.bench.ts';

const BENCHES: Record<string, () => Promise<BenchReport>> = {
  'r2sql-stand-in': benchR2SqlStandIn,
  ingest: benchIngest,
};

const only = process.argv.slice(2);
const machine = describeMachine();
const reports: BenchReport[] = [];
for (const [name, run] of Object.entries(BENCHES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.error(`running ${name} …`);
  const report = await run();
  console.log(`\n${report.markdown}\n`);
  reports.push(report);
}

const results = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
  '',
  `Machine: ${machine.cpus} CPUs (nproc), ${machine.model}, ${machine.memoryGiB} GiB RAM, Node ${machine.node}.`,
  'Other processes may share this machine; medians of interleaved runs damp that, they do not remove it.',
  '',
  ...reports.flatMap((r) => [r.markdown, '', `Target met: ${r.passed ? 'yes' : 'no'}`, '']),
].join('\n');
if (only.length === 0) writeFileSync(new URL('./RESULTS.md', import.meta.url), results);
else console.error('(a subset ran: RESULTS.md left as it was)');
