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

/** Everything an event row is built from, as the store knows it inside the recording transaction. */
export interface EventParts {
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
  /** Canonical JSON text (canonicalJson), as stored. */
  data: string | null;
  /** Canonical JSON text. */
  error: string | null;
  requestId: string | null;
  sessionId: string | null;
  workflowId: string | null;
  correlationId: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

/** The event row as stored and sent: JSON text in column order (nulls included), and its hash. */
export interface EncodedEvent {
  text: string;
  hash: string;
}

const COLUMNS = Object.keys(eventRow.shape);
const at = (name: string): number => {
  const index = COLUMNS.indexOf(name);
  if (index < 0) throw new Error(`events row has no column ${name}`);
  return index;
};
const I = Object.fromEntries(COLUMNS.map((c) => [c, at(c)])) as Record<string, number>;
// The hash covers the canonical JSON of the row: keys sorted, nulls and `hash` left out. The columns are
// fixed, so their sorted order (as positions) and the key prefixes are computed once, not per row.
const SORTED = COLUMNS.filter((c) => c !== 'hash')
  .sort()
  .map((c) => I[c]!);
const KEYS = COLUMNS.map((c) => `"${c}":`);
const HASH = I.hash!;
const str = (value: string | null): string | null => (value === null ? null : JSON.stringify(value));
const num = (value: number | null): string | null => (value === null ? null : JSON.stringify(value));

/**
 * Encodes an event's global row and seals it with its hash: SHA-256 over the canonical JSON of the row
 * (as `lake/chain` defines it), written directly in sorted column order. `data`, `error` and payloads
 * arrive as canonical JSON text (canonicalJson) and are embedded as they are.
 */
export function encodeEventRow(p: EventParts): EncodedEvent {
  const target = qualify(p.ns, p.target);
  const v: (string | null)[] = new Array(COLUMNS.length).fill(null);
  v[I.schema_version!] = String(EVENTS_SCHEMA_VERSION);
  v[I.id!] = str(eventId(p.ns, p.incarnation, p.seq));
  v[I.ns!] = str(p.ns);
  v[I.incarnation!] = str(p.incarnation);
  v[I.seq!] = String(p.seq);
  v[I.ts!] = String(p.ts);
  v[I.event!] = str(`${p.noun}.${p.past}`);
  v[I.verb!] = str(p.past);
  v[I.action!] = str(p.action);
  v[I.type!] = str(qualify(p.ns, p.noun));
  v[I.target!] = str(target);
  if (p.actor !== null) v[I.actor!] = str(qualify(p.ns, p.actor));
  v[I.durability!] = str(p.durability);
  v[I.status!] = str(p.status);
  v[I.branch!] = str(p.branch);
  if (p.input !== null) v[I.input_version!] = str(`${target}@v${p.input}`);
  if (p.output !== null) v[I.output_version!] = str(`${target}@v${p.output}`);
  // JSON null is a null column: the canonical form (and so the hash) leaves it out.
  v[I.data!] = p.data === 'null' ? null : p.data;
  v[I.error!] = p.error === 'null' ? null : p.error;
  v[I.request_id!] = str(p.requestId);
  v[I.session_id!] = str(p.sessionId);
  v[I.workflow_id!] = str(p.workflowId);
  v[I.correlation_id!] = str(p.correlationId);
  v[I.started_at!] = num(p.startedAt);
  v[I.completed_at!] = num(p.completedAt);
  if (p.startedAt !== null && p.completedAt !== null)
    v[I.duration_ms!] = num((p.completedAt - p.startedAt) / 1000);
  v[I.prev_hash!] = str(p.prevHash);
  let canonical = '{';
  for (const i of SORTED) {
    const value = v[i];
    if (value === null || value === undefined) continue;
    canonical += canonical.length > 1 ? `,${KEYS[i]}${value}` : `${KEYS[i]}${value}`;
  }
  const hash = sha256Hex(`${canonical}}`);
  v[HASH] = `"${hash}"`;
  let text = '{';
  for (let i = 0; i < COLUMNS.length; i++) text += `${i > 0 ? ',' : ''}${KEYS[i]}${v[i] ?? 'null'}`;
  return { text: `${text}}`, hash };
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
  return JSON.parse(encodeEventRow(p).text) as EventRow & { seq: number };
}
