import { ACTION_STATUSES, DURABILITIES, eventRow, thingRow } from '../../schemas/index.ts';
import { canonicalJson } from '../../lake/chain/index.ts';
import { qualify } from './event-row.ts';
import { RecordInputError } from './record-input-error.ts';
import { verbForms } from './verb-forms.ts';
import type { ActionWrite } from './write-action.ts';

/** A JSON value as stored in `data` and `error`. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One action to record: the thing it produces, the action, and the event, in one transaction. */
export interface RecordInput {
  /** The imperative, e.g. `create`; registered in `verbs` with its other forms on first use. */
  verb: string;
  /** The noun of the thing, e.g. `Startup`. */
  type: string;
  /** The thing's local path (`acme`) or an absolute URL. */
  target: string;
  /** The thing's data after the action. */
  data?: Json;
  /** Whether the new version is a tombstone; defaults to true for the verb `delete`. */
  deleted?: boolean;
  actor?: string | null;
  durability?: (typeof DURABILITIES)[number];
  status?: (typeof ACTION_STATUSES)[number];
  /** A branch created with createBranch(); null or absent is main. */
  branch?: string | null;
  name?: string | null;
  error?: Json;
  /** When it happened, in µs since the epoch; defaults to now. For imports and backfills. */
  ts?: number;
  requestId?: string | null;
  sessionId?: string | null;
  workflowId?: string | null;
  correlationId?: string | null;
  startedAt?: number | null;
  completedAt?: number | null;
}

/** One lower-case imperative word: its past tense becomes the event name (`created`). */
export const VERB_NAME = /^[a-z][a-zA-Z]*$/;
/** A PascalCase noun: the type URL's last segment and the event's `Noun.` prefix. */
export const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;
/**
 * The largest `data` (and `error`) payload, in bytes of canonical JSON: with the other columns the
 * event row must fit one 1 MB Pipelines request, or no sink could ever take it.
 */
export const MAX_PAYLOAD_BYTES = 900_000;
/** Below this, a positive timestamp is not µs of this era: 1e14 µs is March 1973, 1e14 ms the year 5138. */
const MIN_PLAUSIBLE_MICROS = 100_000_000_000_000;

/** Now, in µs since the epoch. */
export const nowMicros = (): number => Date.now() * 1000;

// Verbs whose forms were derived once: the same few recur in every record.
const knownVerbs = new Set<string>();

function requireVerb(value: unknown): string {
  const verb = requireName('verb', value, VERB_NAME, 'one lower-case imperative word, e.g. "create"');
  if (knownVerbs.has(verb)) return verb;
  try {
    verbForms(verb);
  } catch (cause) {
    throw new RecordInputError('verb', (cause as Error).message.replace(/^verb /, 'is '), 'invalid_verb');
  }
  if (knownVerbs.size >= 10_000) knownVerbs.clear();
  knownVerbs.add(verb);
  return verb;
}

function requireName(field: string, value: unknown, pattern: RegExp, what: string): string {
  if (value === undefined || value === null || value === '')
    throw new RecordInputError(field, `is required: ${what}`, 'missing_field');
  if (typeof value !== 'string' || !pattern.test(value))
    throw new RecordInputError(
      field,
      `must be ${what}, got ${JSON.stringify(value)}`,
      field === 'verb' ? 'invalid_verb' : 'invalid_type',
    );
  return value;
}

// Paths checked once per namespace and path: the same few recur in nearly every record.
const checkedPaths = new Map<string, true>();

/** A local path or absolute URL that qualifies to a URL the stream schema takes, and a version ref. */
function requirePath(ns: string, field: string, value: unknown, required: boolean): string | null {
  if (value === undefined || value === null || value === '') {
    if (!required) return null;
    throw new RecordInputError(field, 'is required: a local path (acme) or an absolute URL', 'missing_field');
  }
  if (typeof value !== 'string')
    throw new RecordInputError(field, `must be a string path, got ${typeof value}`, 'invalid_path');
  const key = `${ns}\u0000${value}`;
  if (checkedPaths.has(key)) return value;
  const url = qualify(ns, value);
  const asUrl = eventRow.shape.target.safeParse(url);
  // A version reference is `<url>@v<n>`: the path may hold no `@` or whitespace.
  const asRef = thingRow.shape.id.safeParse(`${url}@v1`);
  if (!asUrl.success || !asRef.success) {
    throw new RecordInputError(
      field,
      `${JSON.stringify(value)} does not make a valid URL (${JSON.stringify(url)}): use a path without spaces, ` +
        "'@' or control characters, or an absolute URL",
      'invalid_path',
    );
  }
  if (checkedPaths.size >= 10_000) checkedPaths.clear();
  checkedPaths.set(key, true);
  return value;
}

function optionalMicros(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RecordInputError(
      field,
      `must be an integer of microseconds since the epoch, got ${String(value)}`,
      'invalid_timestamp',
    );
  }
  // Before 1970 is fine (backfills of old history); a small positive value is a unit mistake.
  if (value >= 0 && value < MIN_PLAUSIBLE_MICROS) {
    throw new RecordInputError(
      field,
      `must be in microseconds since the epoch; ${value} looks like milliseconds or seconds ` +
        `(${value} µs is ${new Date(value / 1000).toISOString()}): multiply milliseconds by 1000`,
      'timestamp_in_milliseconds',
    );
  }
  return value;
}

function optionalText(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string')
    throw new RecordInputError(field, `must be a string, got ${typeof value}`, 'invalid_value');
  return value;
}

function oneOf<T extends string>(field: string, allowed: readonly T[], value: unknown, fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T))
    throw new RecordInputError(
      field,
      `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
      'invalid_value',
    );
  return value as T;
}

const encoder = new TextEncoder();
function json(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  let text: string;
  try {
    text = canonicalJson(value);
  } catch (cause) {
    throw new RecordInputError(field, `must be JSON-serializable: ${(cause as Error).message}`, 'not_json');
  }
  // UTF-8 is at most 3 bytes per UTF-16 unit: only a text that might be too large is encoded.
  if (text.length * 3 > MAX_PAYLOAD_BYTES) {
    const bytes = encoder.encode(text).byteLength;
    if (bytes > MAX_PAYLOAD_BYTES) {
      throw new RecordInputError(
        field,
        `is ${bytes} bytes of JSON; a payload takes at most ${MAX_PAYLOAD_BYTES} (the event row must fit one 1 MB Pipelines request): store large content elsewhere and record a reference`,
        'payload_too_large',
      );
    }
  }
  return text;
}

/**
 * Validates a {@link RecordInput} against the contracts the stream schema is generated from — verb and
 * type names, target and actor paths (qualified with `ns`, as URLs and version references), µs
 * timestamps, JSON payloads that fit a request — into the form the store writes. Throws a
 * {@link RecordInputError} naming the field.
 *
 * @example
 * ```ts
 * import { validateRecordInput } from './validate-record-input.ts';
 * validateRecordInput('https://startups.studio', { verb: 'create', type: 'Startup', target: 'a b' });
 * // throws RecordInputError: field 'target', code 'invalid_path'
 * ```
 */
export function validateRecordInput(ns: string, input: RecordInput): ActionWrite {
  if (typeof input !== 'object' || input === null)
    throw new RecordInputError('(input)', 'must be an object', 'invalid_value');
  const verb = requireVerb(input.verb);
  const data = input.data === undefined ? null : json('data', input.data);
  return {
    verb,
    type: requireName('type', input.type, TYPE_NAME, 'a PascalCase noun, e.g. "Startup"'),
    target: requirePath(ns, 'target', input.target, true)!,
    data,
    deleted: input.deleted === undefined ? verb === 'delete' : input.deleted === true,
    branch: optionalText('branch', input.branch),
    name: optionalText('name', input.name),
    actor: requirePath(ns, 'actor', input.actor, false),
    durability: oneOf('durability', DURABILITIES, input.durability, 'try'),
    status: oneOf('status', ACTION_STATUSES, input.status, 'completed'),
    error: json('error', input.error),
    ts: optionalMicros('ts', input.ts) ?? nowMicros(),
    requestId: optionalText('requestId', input.requestId),
    sessionId: optionalText('sessionId', input.sessionId),
    workflowId: optionalText('workflowId', input.workflowId),
    correlationId: optionalText('correlationId', input.correlationId),
    startedAt: optionalMicros('startedAt', input.startedAt),
    completedAt: optionalMicros('completedAt', input.completedAt),
  };
}
