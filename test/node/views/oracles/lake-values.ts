/** Epoch microseconds as ISO text with six fractional digits, the form the harness compares. */
export function isoMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const fraction = String(us - Math.floor(us / 1_000_000) * 1_000_000).padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Plain string comparison (code units), as SQL's ORDER BY on VARCHAR compares ASCII text. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A JSON value as stored: text in some rows, a value in others. */
export const jsonValue = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/**
 * Params for an oracle: the view's own parse of raw params (defaults applied), or the params as they
 * are when they were parsed already.
 */
export function parsedParams<P>(view: { parseParams(input?: unknown): P }, params: unknown): P {
  try {
    return view.parseParams(params);
  } catch {
    return params as P;
  }
}
