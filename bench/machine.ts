import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

/** The machine a benchmark ran on. */
export interface Machine {
  cpus: number;
  model: string;
  memoryGiB: number;
  node: string;
}

/**
 * Describes this machine: CPU count (nproc), CPU model (from /proc/cpuinfo), memory, Node version.
 *
 * @example
 * ```ts
 * import { describeMachine } from './machine.ts';
 * console.log(describeMachine().model);
 * ```
 */
export function describeMachine(): Machine {
  let model = 'unknown';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {}
  return {
    cpus: availableParallelism(),
    model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A benchmark's printable outcome: a markdown section, and whether it met its target. */
export interface BenchReport {
  name: string;
  markdown: string;
  passed: boolean;
}
