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
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`canonical JSON has no ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? arrayJson(value) : objectJson(value as Record<string, unknown>);
    default:
      throw new Error(`canonical JSON cannot hold ${typeof value}`);
  }
}

// Plain loops rather than map/join and template literals: this runs for every recorded payload.
function arrayJson(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++)
    out += i === 0 ? canonicalJson(items[i]) : `,${canonicalJson(items[i])}`;
  return `${out}]`;
}

function objectJson(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  sortKeys(keys);
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

// Insertion sort with `<` (which compares UTF-16 code units, as the canonical form requires): objects
// have a handful of keys, where Array.prototype.sort's generic machinery costs more than the sorting.
function sortKeys(keys: string[]): void {
  if (keys.length > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}
