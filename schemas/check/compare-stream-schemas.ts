import type { PipelinesField, PipelinesSchema } from '../derive/to-pipelines-schema.ts';

/** The kinds of difference between a committed stream schema and the one the zod schema derives. */
export type SchemaChangeKind =
  | 'added-optional'
  | 'added-required'
  | 'removed'
  | 'renamed'
  | 'retyped'
  | 'now-required'
  | 'now-optional'
  | 'table-added'
  | 'table-removed';

/** Changes a stream's readers can take: rows of the old and new shape union by column name. */
const COMPATIBLE: ReadonlySet<SchemaChangeKind> = new Set(['added-optional', 'now-optional', 'table-added']);

/** One difference, with a message a person can act on. */
export interface SchemaChange {
  kind: SchemaChangeKind;
  table: string;
  /** The field (for a rename, its old name); absent for a whole-table change. */
  field?: string;
  /** The new name of a renamed field. */
  to?: string;
  breaking: boolean;
  message: string;
}

/** What comparing one table found. */
export interface SchemaComparison {
  table: string;
  changes: SchemaChange[];
  breaking: boolean;
  /** For a breaking change: the name of the versioned stream to create instead, e.g. `events_v2`. */
  proposedStream?: string;
}

/**
 * The next versioned name of a stream: `events` → `events_v2`, `events_v2` → `events_v3`.
 *
 * @example
 * ```ts
 * import { nextStreamName } from './compare-stream-schemas.ts';
 * nextStreamName('events'); // 'events_v2'
 * ```
 */
export function nextStreamName(table: string): string {
  const match = /^(.*)_v(\d+)$/.exec(table);
  return match ? `${match[1]}_v${Number(match[2]) + 1}` : `${table}_v2`;
}

const typeOf = (f: PipelinesField): string =>
  `${f.type}${f.unit ? `(${f.unit})` : ''}${f.items ? `<${typeOf(f.items as PipelinesField)}>` : ''}${
    f.fields ? `{${f.fields.map((s) => `${s.name}:${typeOf(s)}${s.required ? '!' : ''}`).join(',')}}` : ''
  }`;

function advice(table: string): string {
  const next = nextStreamName(table);
  return (
    `streams cannot be altered: create the versioned stream ${next} (add it to TABLES beside ${table}, ` +
    `run \`dotdo-analytics schema generate\` and \`schema setup\`), and let readers union ${table} and ${next} by column name`
  );
}

function change(
  table: string,
  kind: SchemaChangeKind,
  field: string | undefined,
  detail: string,
  to?: string,
): SchemaChange {
  const breaking = !COMPATIBLE.has(kind);
  const subject = field === undefined ? `table "${table}"` : `${table}.${field}`;
  const message = breaking
    ? `${subject}: ${detail} — breaking; ${advice(table)}`
    : field === undefined
      ? `${subject}: ${detail} — compatible; run \`dotdo-analytics schema generate\` to commit it`
      : `${subject}: ${detail} — compatible (older rows read as null); run \`dotdo-analytics schema generate\`, ` +
        'and since a live stream cannot be altered, recreate it with the new schema, writing to the same sink';
  return { kind, table, ...(field === undefined ? {} : { field }), ...(to ? { to } : {}), breaking, message };
}

/**
 * Compares the committed stream schema of a table with the one derived from zod now. An added optional
 * field (or a required field made optional) is compatible: older rows read as null. A removed, renamed
 * or retyped field, an optional field made required, or a new required field is breaking, and the
 * message names the field and proposes a versioned stream. A removed field and an added one of the same
 * type and position (or the only such pair) count as a rename.
 *
 * @example
 * ```ts
 * import { compareStreamSchemas } from './compare-stream-schemas.ts';
 * const result = compareStreamSchemas('events', committed, toPipelinesSchema(eventRow));
 * if (result.breaking) console.error(result.changes.map((c) => c.message).join('\n'));
 * ```
 */
export function compareStreamSchemas(
  table: string,
  committed: PipelinesSchema | undefined,
  current: PipelinesSchema | undefined,
): SchemaComparison {
  const changes: SchemaChange[] = [];
  if (!committed && current) {
    changes.push(change(table, 'table-added', undefined, 'new table, no committed stream schema yet'));
  } else if (committed && !current) {
    changes.push(
      change(table, 'table-removed', undefined, 'committed stream schema has no zod table any more'),
    );
  } else if (committed && current) {
    changes.push(...fieldChanges(table, committed.fields, current.fields));
  }
  const breaking = changes.some((c) => c.breaking);
  return { table, changes, breaking, ...(breaking ? { proposedStream: nextStreamName(table) } : {}) };
}

function fieldChanges(table: string, before: PipelinesField[], after: PipelinesField[]): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const afterByName = new Map(after.map((f) => [f.name, f]));
  const beforeNames = new Set(before.map((f) => f.name));
  const removed = before.filter((f) => !afterByName.has(f.name));
  const added = after.filter((f) => !beforeNames.has(f.name));

  for (const old of before) {
    const now = afterByName.get(old.name);
    if (!now) continue;
    if (typeOf(old) !== typeOf(now)) {
      changes.push(change(table, 'retyped', old.name, `type changed from ${typeOf(old)} to ${typeOf(now)}`));
    } else if (!old.required && now.required) {
      changes.push(change(table, 'now-required', old.name, 'changed from optional to required'));
    } else if (old.required && !now.required) {
      changes.push(change(table, 'now-optional', old.name, 'changed from required to optional'));
    }
  }

  const sameShape = (a: PipelinesField, b: PipelinesField): boolean =>
    typeOf(a) === typeOf(b) && a.required === b.required;
  const renamed = new Map<PipelinesField, PipelinesField>();
  for (const old of removed) {
    const candidates = added.filter((f) => sameShape(old, f) && ![...renamed.values()].includes(f));
    const samePlace = candidates.find((f) => after.indexOf(f) === before.indexOf(old));
    const pick =
      samePlace ??
      (candidates.length === 1 && removed.filter((r) => sameShape(r, candidates[0]!)).length === 1
        ? candidates[0]
        : undefined);
    if (pick) renamed.set(old, pick);
  }
  for (const old of removed) {
    const to = renamed.get(old);
    if (to) changes.push(change(table, 'renamed', old.name, `renamed to "${to.name}"`, to.name));
    else changes.push(change(table, 'removed', old.name, `field removed (was ${typeOf(old)})`));
  }
  const renamedTo = new Set(renamed.values());
  for (const now of added) {
    if (renamedTo.has(now)) continue;
    changes.push(
      now.required
        ? change(
            table,
            'added-required',
            now.name,
            `new required field (${typeOf(now)}): older rows have no value`,
          )
        : change(table, 'added-optional', now.name, `new optional field (${typeOf(now)})`),
    );
  }
  return changes;
}
