/**
 * The `$` integration's cost per call inside workerd (Miniflare): `$.try`, `$.do` and `$.send` against a
 * bare `record()` on the same object, interleaved in the same run. Each sample times a batch from Node
 * and subtracts an empty round trip to the same object (workerd's clock is coarse inside a request).
 * `$.send` is timed until all its events are recorded (the call itself returns at once).
 * Target: `$.try` without a handler within 1.5× of record() (name and option checks, the input's JSON
 * copy, the async dispatch, the alarm bookkeeping); with a handler it also reads the current data.
 *
 * @module
 */
import { startBenchWorker } from './bench-worker.ts';
import { type BenchReport, median } from './machine.ts';

const BATCH = 2000;
const ROUNDS = 11;
const MODES = ['record', 'try', 'handler', 'do', 'send'] as const;

export async function benchAnalytics(): Promise<BenchReport> {
  const worker = await startBenchWorker('./workers/analytics-worker.ts', 'AnalyticsBench');
  const call = async (path: string): Promise<number> => (await worker.call(path)).ms;
  try {
    for (const mode of MODES) await call(`/${mode}?n=500&object=warm`);
    const samples = Object.fromEntries(MODES.map((m) => [m, [] as number[]])) as Record<
      (typeof MODES)[number],
      number[]
    >;
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        await call('/drain?object=b');
        const empty = await call('/noop?object=b');
        samples[mode].push(((await call(`/${mode}?n=${BATCH}&object=b`)) - empty) / BATCH);
      }
    }
    const us = Object.fromEntries(MODES.map((m) => [m, median(samples[m]) * 1000])) as Record<
      (typeof MODES)[number],
      number
    >;
    const row = (label: string, mode: (typeof MODES)[number], target: string) =>
      `| ${label} | ${us[mode].toFixed(1)} | ${(us[mode] / us.record).toFixed(2)}× | +${(us[mode] - us.record).toFixed(1)} | ${target} |`;
    const markdown = [
      '### The `$` integration inside workerd (send / try / do against record())',
      '',
      `Medians of ${ROUNDS} interleaved rounds of ${BATCH} calls on one object; the sink is a no-op and the alarm is not due.`,
      '',
      '| call | µs per call | vs record() | overhead µs | target |',
      '|---|---|---|---|---|',
      `| record() (baseline: version + action + hashed event) | ${us.record.toFixed(1)} | 1.00× | — | |`,
      row('$.try, no handler (validated, input copied, alarm armed)', 'try', '≤ 1.5×'),
      row('$.try with a handler (current data read, handler awaited)', 'handler', '(for reference)'),
      row('$.do (persisted running first, then completed in place)', 'do', '(for reference)'),
      row('$.send (until recorded; the call itself returns at once)', 'send', '(for reference)'),
    ].join('\n');
    return { name: 'analytics', markdown, passed: us.try / us.record <= 1.5 };
  } finally {
    await worker.close();
  }
}
