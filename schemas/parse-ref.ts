/**
 * The ref grammar (`acme@v12`, `acme@~1`, `acme@2024-01-08`, `acme@experiment`, `acme?v=…`): a contract
 * shared by the Durable Object that resolves refs and the lake views that answer them. Imports nothing.
 *
 * @module
 */
/** Which version of a thing a ref selects. */
export type RefSelector =
  | { kind: 'current' }
  | { kind: 'branch'; name: string }
  | { kind: 'version'; version: number }
  | { kind: 'relative'; back: number }
  /** The version current at this instant (µs since the epoch, inclusive). */
  | { kind: 'at'; micros: number };

/** A parsed ref: the thing (local path or absolute URL) and the selector. */
export interface ParsedRef {
  thing: string;
  absolute: boolean;
  selector: RefSelector;
}

/** A malformed ref: says which part is wrong and what would be right. */
export class RefError extends Error {
  override name = 'RefError';
  constructor(
    readonly ref: string,
    readonly part: string,
    detail: string,
  ) {
    super(`ref "${ref}": ${detail}`);
  }
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const THING = /^[A-Za-z0-9._~!$&'()*+,;:=%/-]+$/;
const BRANCH = /^[a-z][a-z0-9_-]{0,62}$/;
const VERSION = /^v(\d+)$/;
const RELATIVE = /^~(\d+)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_US = 86_400_000_000;

function calendarDay(ref: string, part: string, y: string, m: string, d: string): number {
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== Number(y) ||
    back.getUTCMonth() + 1 !== Number(m) ||
    back.getUTCDate() !== Number(d)
  ) {
    throw new RefError(ref, part, `"${part}" is not a calendar date`);
  }
  return ms * 1000;
}

/** A date means the end of that day (UTC); a date-time means that instant. */
function parseInstant(ref: string, part: string): number | null {
  const date = DATE.exec(part);
  if (date) return calendarDay(ref, part, date[1]!, date[2]!, date[3]!) + DAY_US - 1;
  const dt = DATETIME.exec(part);
  if (!dt) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = dt;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    throw new RefError(ref, part, `"${part}" is not a valid time of day`);
  let micros =
    calendarDay(ref, part, y!, mo!, d!) + ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1_000_000;
  micros += Number(frac.padEnd(6, '0'));
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const [zh, zm] = zone!.slice(1).split(':').map(Number) as [number, number];
    if (zh > 23 || zm > 59) throw new RefError(ref, part, `"${zone}" is not a valid UTC offset`);
    micros -= sign * (zh * 60 + zm) * 60_000_000;
  }
  return micros;
}

function versionNumber(ref: string, part: string, digits: string): number {
  const version = Number(digits);
  if (!Number.isSafeInteger(version)) throw new RefError(ref, part, `version ${digits} is too large`);
  if (version < 1) throw new RefError(ref, part, 'versions start at v1');
  return version;
}

function parseAt(ref: string, part: string): RefSelector {
  if (part === '')
    throw new RefError(ref, '@', 'nothing after "@": use a branch, v<version>, ~<n> or a date');
  if (part === 'main') return { kind: 'branch', name: 'main' };
  const version = VERSION.exec(part);
  if (version) return { kind: 'version', version: versionNumber(ref, part, version[1]!) };
  if (part === 'v') throw new RefError(ref, part, '"v" needs a version number, e.g. @v12');
  if (part.startsWith('~')) {
    const relative = RELATIVE.exec(part);
    if (!relative) throw new RefError(ref, part, `"${part}": ~ takes a count of versions back, e.g. @~1`);
    return { kind: 'relative', back: Number(relative[1]) };
  }
  if (/^\d/.test(part)) {
    const micros = parseInstant(ref, part);
    if (micros === null)
      throw new RefError(ref, part, `"${part}" is not a date (YYYY-MM-DD) or date-time (RFC 3339)`);
    return { kind: 'at', micros };
  }
  if (BRANCH.test(part)) return { kind: 'branch', name: part };
  throw new RefError(
    ref,
    part,
    `"${part}" is not a ref: use main, a branch name (a-z, 0-9, _ and -), v<version>, ~<n> or a date`,
  );
}

function parseQuery(ref: string, query: string): RefSelector {
  const params = query.split('&');
  if (params.length !== 1) throw new RefError(ref, `?${query}`, 'takes exactly one parameter, v=');
  const [key, value] = params[0]!.split('=', 2) as [string, string | undefined];
  if (key !== 'v')
    throw new RefError(ref, key, `unknown parameter "${key}": only ?v=<version or date> is supported`);
  if (!value) throw new RefError(ref, '?v=', '?v= needs a version number or a date');
  if (/^\d+$/.test(value)) return { kind: 'version', version: versionNumber(ref, value, value) };
  const micros = parseInstant(ref, value);
  if (micros === null)
    throw new RefError(ref, value, `"${value}" is not a version number, a date or an RFC 3339 date-time`);
  return { kind: 'at', micros };
}

/**
 * Parses a ref: `acme`, `acme@main`, `acme@experiment`, `acme@v1234`, `acme@~1`, `acme@2024-01-08`,
 * `acme?v=1234`, `acme?v=2024-01-08T12:00:00Z`, and the same on full URLs. A date alone means the end
 * of that day in UTC. A malformed ref throws a {@link RefError} naming the bad part.
 *
 * @example
 * ```ts
 * import { parseRef } from './parse-ref.ts';
 * parseRef('https://startups.studio/acme@v12'); // { thing: 'https://startups.studio/acme', absolute: true, selector: { kind: 'version', version: 12 } }
 * ```
 */
export function parseRef(ref: string): ParsedRef {
  if (typeof ref !== 'string' || ref.trim() === '')
    throw new RefError(String(ref), '', 'a ref must be a non-empty string');
  if (/\s/.test(ref)) throw new RefError(ref, ref, 'a ref cannot contain whitespace');
  const absolute = SCHEME.test(ref);
  const pathStart = absolute ? ref.indexOf('/', ref.indexOf('://') + 3) : 0;
  if (pathStart < 0) throw new RefError(ref, ref, "a URL ref needs the thing's path after the host");
  const queryAt = ref.indexOf('?', pathStart);
  const head = queryAt >= 0 ? ref.slice(0, queryAt) : ref;
  const atAt = head.indexOf('@', pathStart);
  if (head.indexOf('@', atAt + 1) > atAt && atAt >= 0)
    throw new RefError(ref, head.slice(atAt), 'only one "@" is allowed');
  const thing = atAt >= 0 ? head.slice(0, atAt) : head;
  const localPart = absolute ? thing.slice(pathStart + 1) : thing;
  if (localPart === '') throw new RefError(ref, '', "missing the thing's id before the ref");
  if (!THING.test(localPart)) throw new RefError(ref, localPart, `"${localPart}" is not a valid thing path`);
  if (atAt >= 0 && queryAt >= 0) throw new RefError(ref, ref.slice(atAt), 'use either @… or ?v=…, not both');
  const selector =
    atAt >= 0
      ? parseAt(ref, head.slice(atAt + 1))
      : queryAt >= 0
        ? parseQuery(ref, ref.slice(queryAt + 1))
        : { kind: 'current' as const };
  return { thing, absolute, selector };
}

/**
 * A ref's point in time as epoch microseconds (UTC), read exactly as `@<time>` and `?v=<time>` are:
 * a date (`2024-01-08`) is the end of that day, the last microsecond; an RFC 3339 date-time is that
 * instant. Throws a {@link RefError} for anything else.
 *
 * @example
 * ```ts
 * import { parseRefTime } from './parse-ref.ts';
 * parseRefTime('2024-01-08'); // 1704758399999999
 * ```
 */
export function parseRefTime(text: string): number {
  const micros = typeof text === 'string' ? parseInstant(text, text) : null;
  if (micros === null)
    throw new RefError(
      String(text),
      String(text),
      `"${text}" is not a date (YYYY-MM-DD) or date-time (RFC 3339)`,
    );
  return micros;
}
