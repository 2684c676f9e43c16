/** Where a replay stands. */
export interface ReplayProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
  /** Files already in the target from an earlier run (checked, not fetched). */
  skipped: number;
  /** Attempts that failed a check and were fetched again. */
  retried: number;
  elapsedMs: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A byte count for people: `1.5 MiB`.
 *
 * @example
 * ```ts
 * import { formatBytes } from './replay-progress.ts';
 * formatBytes(1536 * 1024); // '1.5 MiB'
 * ```
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

const formatSeconds = (seconds: number): string =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
    : seconds >= 60
      ? `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
      : `${Math.ceil(seconds)}s`;

/**
 * One progress line: files, bytes, rate and ETA.
 *
 * @example
 * ```ts
 * import { formatProgress } from './replay-progress.ts';
 * formatProgress({ files: 3, totalFiles: 10, bytes: 3e6, totalBytes: 1e7, skipped: 0, retried: 0, elapsedMs: 1000 });
 * // 'files 3/10  2.9 MiB/9.5 MiB  2.9 MiB/s  ETA 3s'
 * ```
 */
export function formatProgress(p: ReplayProgress): string {
  const rate = p.elapsedMs > 0 ? (p.bytes / p.elapsedMs) * 1000 : 0;
  const left = Math.max(0, p.totalBytes - p.bytes);
  const eta = left === 0 ? '0s' : rate > 0 ? formatSeconds(left / rate) : '?';
  const extra = [p.skipped ? `${p.skipped} already there` : '', p.retried ? `${p.retried} refetched` : '']
    .filter(Boolean)
    .join(', ');
  return `files ${p.files}/${p.totalFiles}  ${formatBytes(p.bytes)}/${formatBytes(p.totalBytes)}  ${formatBytes(rate)}/s  ETA ${eta}${extra ? `  (${extra})` : ''}`;
}

/** Where a progress reporter writes. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Prints progress: one line rewritten in place on a terminal, plain lines every few seconds otherwise. */
export interface ProgressReporter {
  update(progress: ReplayProgress): void;
  done(progress: ReplayProgress): void;
}

/**
 * A progress reporter for `output`: on a terminal (and not `CI=true`) the line is redrawn at most ten
 * times a second; otherwise a plain line at most every `plainEveryMs` (default 5 s), and a last one.
 *
 * @example
 * ```ts
 * import { createProgressReporter } from './replay-progress.ts';
 * const reporter = createProgressReporter(process.stderr);
 * reporter.update(progress);
 * reporter.done(progress);
 * ```
 */
export function createProgressReporter(
  output: ProgressOutput,
  options: { ci?: boolean; plainEveryMs?: number } = {},
): ProgressReporter {
  const live = !!output.isTTY && !(options.ci ?? process.env.CI === 'true');
  const every = live ? 100 : (options.plainEveryMs ?? 5_000);
  let last = Number.NEGATIVE_INFINITY;
  return {
    update(progress) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      output.write(live ? `\r\u001b[2K${formatProgress(progress)}` : `${formatProgress(progress)}\n`);
    },
    done(progress) {
      output.write(live ? `\r\u001b[2K${formatProgress(progress)}\n` : `${formatProgress(progress)}\n`);
    },
  };
}
