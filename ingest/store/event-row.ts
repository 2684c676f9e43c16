import { sha256Hex } from '../../lake/chain/index.ts';
import { EVENTS_SCHEMA_VERSION, type EventRow, eventRow } from '../../schemas/index.ts';

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Qualifies a local path with the namespace; an absolute URL stays as it is.
 *
 * @example
 * ```ts
 * import { qualify } from './event-row.ts';
 * qualify('https://startups.studio', 'acme'); // 'https://startups.studio/acme'
 * qualify('https://startups.studio', 'https://auth.dev/nathan'); // unchanged
 * ```
 */
export function qualify(ns: string, local: string): string {
  return ABSOLUTE.test(local) ? local : `${ns}/${local.replace(/^\/+/, '')}`;
}

/**
 * The deterministic global id of an event: the same (ns, incarnation, seq) always gives the same id,
 * so a re-sent event is recognised as a duplicate.
 *
 * @example
 * ```ts
 * import { eventId } from './event-row.ts';
 * eventId('https://startups.studio', '7f3a…', 12); // 'https://startups.studio/events/7f3a…/12'
 * ```
 */
export const eventId = (ns: string, incarnation: string, seq: number): string =>
  `${ns}/events/${incarnation}/${seq}`;

/** What ties an action to its request, session, workflow and timing; carried into its event row. */
export interface ActionContext {
  requestId: string | null;
  sessionId: string | null;
  workflowId: string | null;
  correlationId: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

/** Everything an event row is built from, as the store knows it inside the recording transaction. */
export interface EventParts extends ActionContext {
  ns: string;
  incarnation: string;
  seq: number;
  prevHash: string | null;
  ts: number;
  noun: string;
  action: string;
  past: string;
  target: string;
  actor: string | null;
  durability: EventRow['durability'];
  status: EventRow['status'];
  branch: string | null;
  input: number | null;
  output: number | null;
  /** The local id of the action that yielded the event. */
  actionId: number;
  /** The thing's name as of `output` (null when unnamed or no version was written). */
  name: string | null;
  /** Whether `output` is a tombstone. */
  deleted: boolean;
  /** Canonical JSON text (canonicalJson), as stored. */
  data: string | null;
  /** Canonical JSON text. */
  error: string | null;
}

/** The event row as stored and sent: its canonical JSON with `hash` appended, and the hash. */
export interface EncodedEvent {
  text: string;
  hash: string;
}

/** The events columns, in schema order. */
export const EVENT_COLUMNS: readonly string[] = Object.keys(eventRow.shape);

// The row is written directly in canonical form: keys in sorted order, null columns left out, `hash`
// left out. encodeEventRow appends the keys in this order by hand; this check makes a schema change
// that moves a key fail at load time instead of hashing a non-canonical text.
const SORTED_KEYS = [
  'action',
  'action_id',
  'actor',
  'branch',
  'completed_at',
  'correlation_id',
  'data',
  'deleted',
  'durability',
  'duration_ms',
  'error',
  'event',
  'id',
  'incarnation',
  'input_version',
  'name',
  'ns',
  'output_version',
  'prev_hash',
  'request_id',
  'schema_version',
  'seq',
  'session_id',
  'started_at',
  'status',
  'target',
  'ts',
  'type',
  'verb',
  'workflow_id',
];
if (
  SORTED_KEYS.join() !==
  EVENT_COLUMNS.filter((c) => c !== 'hash')
    .sort()
    .join()
) {
  throw new Error('encodeEventRow writes keys out of canonical order: update SORTED_KEYS with the schema');
}

// JSON text of a string without its closing quote, so `${open}…"` extends it; JSON escaping is per
// character, so escaped parts concatenate to the escaped whole.
const open = (value: string): string => JSON.stringify(value).slice(0, -1);

// The same few names, paths and actors recur in nearly every row of a namespace, so their JSON is
// cached per namespace (bounded) instead of escaped and qualified again for each event.
const CACHE_LIMIT = 10_000;

interface NsFragments {
  ns: string;
  incarnation: string;
  nsJson: string;
  /** `"…/events/{incarnation}/` of every event id. */
  idOpen: string;
  /** `"…/actions/{incarnation}/` of every action id. */
  actionOpen: string;
  incarnationJson: string;
  /** A path (local or absolute) → its qualified URL as JSON. */
  qualified: Map<string, string>;
  /** A noun → (a past-tense verb → `"Noun.verbed"`). */
  events: Map<string, Map<string, string>>;
  /** A name → its JSON. */
  names: Map<string, string>;
}

let last: NsFragments | undefined;
function fragments(ns: string, incarnation: string): NsFragments {
  if (last?.ns === ns && last.incarnation === incarnation) return last;
  last = {
    ns,
    incarnation,
    nsJson: JSON.stringify(ns),
    idOpen: open(`${ns}/events/${incarnation}/`),
    actionOpen: open(`${ns}/actions/${incarnation}/`),
    incarnationJson: JSON.stringify(incarnation),
    qualified: new Map(),
    events: new Map(),
    names: new Map(),
  };
  return last;
}

function cached(map: Map<string, string>, key: string, make: (key: string) => string): string {
  let found = map.get(key);
  if (found === undefined) {
    if (map.size >= CACHE_LIMIT) map.clear();
    found = make(key);
    map.set(key, found);
  }
  return found;
}

const qualifiedJson = (f: NsFragments, path: string): string =>
  cached(f.qualified, path, (local) => JSON.stringify(qualify(f.ns, local)));

const nameJson = (f: NsFragments, name: string): string => cached(f.names, name, JSON.stringify);

function eventJson(f: NsFragments, noun: string, past: string): string {
  let byVerb = f.events.get(noun);
  if (!byVerb) {
    if (f.events.size >= CACHE_LIMIT) f.events.clear();
    byVerb = new Map();
    f.events.set(noun, byVerb);
  }
  return cached(byVerb, past, () => `${open(noun)}.${open(past).slice(1)}"`);
}

/**
 * Encodes an event's global row and seals it with its hash: SHA-256 over the canonical JSON of the row
 * (as `lake/chain` defines it), written directly with its keys in sorted order and its null columns left
 * out. The stored and sent text is that canonical JSON with `"hash"` appended. `data`, `error` and
 * payloads arrive as canonical JSON text (canonicalJson) and are embedded as they are.
 *
 * @example
 * ```ts
 * import { encodeEventRow } from './event-row.ts';
 * const { text, hash } = encodeEventRow(parts); // eventHash(JSON.parse(text)) === hash
 * ```
 */
export function encodeEventRow(p: EventParts): EncodedEvent {
  const f = fragments(p.ns, p.incarnation);
  const target = qualifiedJson(f, p.target);
  let s = `{"action":${nameJson(f, p.action)},"action_id":${f.actionOpen}${p.actionId}"`;
  if (p.actor !== null) s += `,"actor":${qualifiedJson(f, p.actor)}`;
  if (p.branch !== null) s += `,"branch":${JSON.stringify(p.branch)}`;
  if (p.completedAt !== null) s += `,"completed_at":${p.completedAt}`;
  if (p.correlationId !== null) s += `,"correlation_id":${JSON.stringify(p.correlationId)}`;
  // JSON null is a null column: the canonical form (and so the hash) leaves it out.
  if (p.data !== null && p.data !== 'null') s += `,"data":${p.data}`;
  if (p.deleted) s += ',"deleted":true';
  s += `,"durability":"${p.durability}"`;
  if (p.startedAt !== null && p.completedAt !== null)
    s += `,"duration_ms":${JSON.stringify((p.completedAt - p.startedAt) / 1000)}`;
  if (p.error !== null && p.error !== 'null') s += `,"error":${p.error}`;
  s += `,"event":${eventJson(f, p.noun, p.past)},"id":${f.idOpen}${p.seq}","incarnation":${f.incarnationJson}`;
  if (p.input !== null) s += `,"input_version":${target.slice(0, -1)}@v${p.input}"`;
  if (p.name !== null) s += `,"name":${JSON.stringify(p.name)}`;
  s += `,"ns":${f.nsJson}`;
  if (p.output !== null) s += `,"output_version":${target.slice(0, -1)}@v${p.output}"`;
  if (p.prevHash !== null) s += `,"prev_hash":"${p.prevHash}"`;
  if (p.requestId !== null) s += `,"request_id":${JSON.stringify(p.requestId)}`;
  s += `,"schema_version":${EVENTS_SCHEMA_VERSION},"seq":${p.seq}`;
  if (p.sessionId !== null) s += `,"session_id":${JSON.stringify(p.sessionId)}`;
  if (p.startedAt !== null) s += `,"started_at":${p.startedAt}`;
  s += `,"status":"${p.status}","target":${target},"ts":${p.ts},"type":${qualifiedJson(f, p.noun)}`;
  s += `,"verb":${nameJson(f, p.past)}`;
  if (p.workflowId !== null) s += `,"workflow_id":${JSON.stringify(p.workflowId)}`;
  const hash = sha256Hex(`${s}}`);
  return { text: `${s},"hash":"${hash}"}`, hash };
}

/**
 * A stored or sent row parsed into an object with every column present (null where left out).
 *
 * @example
 * ```ts
 * import { parseEventRow } from './event-row.ts';
 * parseEventRow('{"seq":1,"hash":"…"}').data; // null
 * ```
 */
export function parseEventRow(text: string): EventRow & { seq: number } {
  const row = JSON.parse(text) as Record<string, unknown>;
  for (const column of EVENT_COLUMNS) if (row[column] === undefined) row[column] = null;
  return row as EventRow & { seq: number };
}

/**
 * The global row of an event as an object, sealed with its hash.
 *
 * @example
 * ```ts
 * import { buildEventRow } from './event-row.ts';
 * const row = buildEventRow(parts); // row.hash === eventHash(row)
 * ```
 */
export function buildEventRow(p: EventParts): EventRow & { seq: number } {
  return parseEventRow(encodeEventRow(p).text);
}
