/**
 * Runs every benchmark (`npm run bench`) and writes bench/RESULTS.md with the machine they ran on.
 * Benchmarks are not tests: they print ratios against a baseline from the same run.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchAnalytics } from './analytics.bench.ts';
import { benchDashboard } from './dashboard.bench.ts';
import { benchDoIngest } from './do-ingest.bench.ts';
import { benchIngest } from './ingest.bench.ts';
import { benchIngestLatency } from './ingest-latency.bench.ts';
import { type BenchReport, describeMachine } from './machine.ts';
import { benchMaterialize } from './materialize.bench.ts';
import { benchQueryApi } from './query-api.bench.ts';
import { benchR2SqlStandIn } from './r2sql-stand-in.bench.ts';
import { benchViews } from './views.bench.ts';
import { benchReplay } from './replay.bench.ts';
import { benchVerify } from './verify.bench.ts';

const BENCHES: Record<string, () => Promise<BenchReport>> = {
  'r2sql-stand-in': benchR2SqlStandIn,
  ingest: benchIngest,
  'ingest-latency': benchIngestLatency,
  'do-ingest': benchDoIngest,
  analytics: benchAnalytics,
  views: benchViews,
  'query-api': benchQueryApi,
  replay: benchReplay,
  verify: benchVerify,
  dashboard: benchDashboard,
  materialize: benchMaterialize,
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
if (only.length === 0) {
  const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  writeFileSync(path, results);
  // Keep the file as the formatter wants it, so `npm run lint` stays clean after a run.
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  try {
    execFileSync(biome, ['format', '--write', path], { stdio: 'ignore' });
  } catch {
    console.error('biome did not format RESULTS.md; run `npx biome format --write bench/RESULTS.md`');
  }
} else console.error('(a subset ran: RESULTS.md left as it was)');
