/** Where progress goes: a TTY gets one line redrawn, anything else a line per step. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A progress line of steps done out of a total. */
export interface ProgressLine {
  /** Steps done so far (those done before this run included). */
  readonly done: number;
  /** One more step done; `note` is appended (rows written, …). */
  tick(note?: string): void;
  /** Ends the redrawn line. */
  end(): void;
}

const seconds = (s: number): string =>
  !Number.isFinite(s)
    ? '?'
    : s < 60
      ? `${s.toFixed(0)}s`
      : s < 3600
        ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s`
        : `${(s / 3600).toFixed(1)}h`;

/**
 * A progress line on stderr: `3/10 chunks (30%), 2.1 chunks/s, ETA 3s, <note>`, the rate and ETA
 * measured over this run's steps.
 *
 * @example
 * ```ts
 * import { createProgressLine } from './progress-line.ts';
 * const progress = createProgressLine({ write: () => true }, { total: 2, done: 0 });
 * progress.tick(); progress.done; // 1
 * ```
 */
export function createProgressLine(
  stream: ProgressStream,
  options: { total: number; done: number; quiet?: boolean; unit?: string; now?: () => number },
): ProgressLine {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const first = options.done;
  let done = options.done;
  let drawn = false;
  const unit = options.unit ?? 'chunks';
  return {
    get done() {
      return done;
    },
    tick(note) {
      done += 1;
      if (options.quiet) return;
      const elapsed = (now() - started) / 1000;
      const rate = (done - first) / Math.max(elapsed, 1e-3);
      const eta = (options.total - done) / rate;
      const pct = options.total === 0 ? 100 : Math.floor((100 * done) / options.total);
      const line = `${done}/${options.total} ${unit} (${pct}%), ${rate.toFixed(1)} ${unit}/s, ETA ${seconds(eta)}${note ? `, ${note}` : ''}`;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        drawn = true;
      } else stream.write(`${line}\n`);
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
