/**
 * Canonical JSON (RFC 8785 style): object keys sorted by UTF-16 code units, no insignificant
 * whitespace, numbers and strings as ECMAScript's JSON.stringify writes them. The same value always
 * gives the same text, whatever order its keys were built in.
 *
 * @example
 * ```ts
 * import { canonicalJson } from './canonical-json.ts';
 * canonicalJson({ b: 1, a: [true, null, 'x'] }); // '{"a":[true,null,"x"],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error(`canonical JSON has no ${value}`);
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      throw new Error(`canonical JSON cannot hold ${typeof value}`);
    }
    if (typeof value === 'bigint') return value.toString();
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  let out = '{';
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}
