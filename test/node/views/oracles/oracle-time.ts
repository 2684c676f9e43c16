/**
 * Time helpers of the view oracles: lake timestamps are UTC microseconds; answers carry ISO text
 * with microseconds, the form the conformance harness normalizes both sides to.
 *
 * @module
 */

/** ISO 8601 text with microseconds of a lake timestamp (UTC µs): `2026-11-25T09:00:00.123456Z`. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}Z`;
}

/** Whether a lake timestamp (µs) falls in `[since, until)` (either bound may be absent). */
export function inRange(us: number, since?: Date, until?: Date): boolean {
  return (
    (since === undefined || us >= since.getTime() * 1000) &&
    (until === undefined || us < until.getTime() * 1000)
  );
}

/** Code-point order: the byte-wise UTF-8 order the engines sort text in. */
export function codePointOrder(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The rows deduplicated on `id` (the first delivery of each kept), in their order. */
export function dedupe<T extends { id: string }>(rows: readonly T[]): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (seen.has(row.id)) return false;
    seen.add(row.id);
    return true;
  });
}

const ENGINE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A timestamp in any form an engine or an oracle answers (ISO/SQL text, Date) as ISO text with µs. */
export function toIsoMicros(value: string | Date): string | undefined {
  if (value instanceof Date) return isoMicros(value.getTime() * 1000);
  const m = ENGINE_TIME.exec(value);
  if (!m) return undefined;
  const zone = !m[4] || m[4] === 'Z' ? 'Z' : `${m[4].slice(0, 3)}:${m[4].slice(3).replace(':', '') || '00'}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  const fraction = (m[3] ?? '').padEnd(6, '0').slice(0, 6);
  return Number.isNaN(ms) ? undefined : isoMicros(ms * 1000 + Number(fraction));
}

/**
 * Rows in one comparable form: timestamps as ISO µs text, JSON text in `data` parsed, numbers to 12
 * significant digits (the engines' float sums may differ in the last bits).
 */
export function normalizeRows(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      if (key === 'data' && typeof value === 'string') out[key] = JSON.parse(value);
      else if (typeof value === 'number') out[key] = Number(value.toPrecision(12));
      else if (typeof value === 'bigint') out[key] = Number(value);
      else if (value instanceof Date || typeof value === 'string') out[key] = toIsoMicros(value) ?? value;
      else out[key] = value;
    }
    return out;
  });
}
