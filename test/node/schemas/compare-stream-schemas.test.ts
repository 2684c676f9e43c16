import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  col,
  compareStreamSchemas,
  eventRow,
  nextStreamName,
  type PipelinesSchema,
  TABLES,
  toPipelinesSchema,
} from '../../../schemas/index.ts';

// Each case edits the zod schema and compares it with the committed events.json, as `schema check` does.
const committed = JSON.parse(
  readFileSync(new URL('../../../schemas/pipelines/events.json', import.meta.url), 'utf8'),
) as PipelinesSchema;
const check = (edited: z.ZodObject) => compareStreamSchemas('events', committed, toPipelinesSchema(edited));

describe('compareStreamSchemas (zod vs committed stream schema)', () => {
  it('finds no change for the zod schema as committed', () => {
    expect(check(eventRow)).toEqual({ table: 'events', changes: [], breaking: false });
  });

  it('passes an added optional field', () => {
    const result = check(eventRow.extend({ tenant: col.string().optional() }));
    expect(result.breaking).toBe(false);
    expect(result.proposedStream).toBeUndefined();
    expect(result.changes).toEqual([
      expect.objectContaining({ kind: 'added-optional', field: 'tenant', breaking: false }),
    ]);
    expect(result.changes[0]!.message).toMatch(/events\.tenant: new optional field \(string\) — compatible/);
  });

  it('fails a removed field, naming it and proposing events_v2', () => {
    const result = check(eventRow.omit({ actor: true }));
    expect(result).toMatchObject({ breaking: true, proposedStream: 'events_v2' });
    expect(result.changes).toEqual([
      expect.objectContaining({ kind: 'removed', field: 'actor', breaking: true }),
    ]);
    expect(result.changes[0]!.message).toMatch(/events\.actor: field removed .* breaking; .*events_v2/);
    expect(result.changes[0]!.message).toMatch(/union events and events_v2 by column name/);
  });

  it('fails a renamed field, naming both names and proposing events_v2', () => {
    const { actor, ...rest } = eventRow.shape;
    const renamed = z.object(
      Object.fromEntries(
        Object.entries(rest).flatMap(([k, v]) =>
          k === 'target'
            ? [
                [k, v],
                ['actor_url', actor],
              ]
            : [[k, v]],
        ),
      ),
    );
    const result = check(renamed);
    expect(result).toMatchObject({ breaking: true, proposedStream: 'events_v2' });
    expect(result.changes).toEqual([
      expect.objectContaining({ kind: 'renamed', field: 'actor', to: 'actor_url', breaking: true }),
    ]);
    expect(result.changes[0]!.message).toMatch(
      /events\.actor: renamed to "actor_url" — breaking; .*events_v2/,
    );
  });

  it('fails a retyped field, naming it and both types', () => {
    const result = check(eventRow.extend({ seq: col.string() }));
    expect(result).toMatchObject({ breaking: true, proposedStream: 'events_v2' });
    expect(result.changes).toEqual([
      expect.objectContaining({ kind: 'retyped', field: 'seq', breaking: true }),
    ]);
    expect(result.changes[0]!.message).toMatch(
      /events\.seq: type changed from int64 to string — breaking; .*events_v2/,
    );
  });

  it('fails optional → required, naming the field', () => {
    const result = check(eventRow.extend({ actor: col.url() }));
    expect(result).toMatchObject({ breaking: true, proposedStream: 'events_v2' });
    expect(result.changes).toEqual([
      expect.objectContaining({ kind: 'now-required', field: 'actor', breaking: true }),
    ]);
    expect(result.changes[0]!.message).toMatch(
      /events\.actor: changed from optional to required — breaking; .*events_v2/,
    );
  });

  it('fails a new required field (older rows have no value) and passes required → optional', () => {
    expect(check(eventRow.extend({ tenant: col.string() })).changes).toEqual([
      expect.objectContaining({ kind: 'added-required', field: 'tenant', breaking: true }),
    ]);
    const relaxed = check(eventRow.extend({ verb: col.string().nullable() }));
    expect(relaxed.breaking).toBe(false);
    expect(relaxed.changes).toEqual([expect.objectContaining({ kind: 'now-optional', field: 'verb' })]);
  });

  it('treats a timestamp unit change as a retype and reports every change at once', () => {
    const current = toPipelinesSchema(eventRow);
    const edited: PipelinesSchema = {
      fields: current.fields
        .filter((f) => f.name !== 'hash')
        .map((f) => (f.name === 'ts' ? { ...f, unit: 'millisecond' as const } : f)),
    };
    const result = compareStreamSchemas('events', committed, edited);
    expect(result.changes.map((c) => [c.kind, c.field])).toEqual([
      ['retyped', 'ts'],
      ['removed', 'hash'],
    ]);
  });

  it('reports whole tables added or removed', () => {
    expect(
      compareStreamSchemas('things', undefined, toPipelinesSchema(TABLES.things)).changes[0],
    ).toMatchObject({
      kind: 'table-added',
      breaking: false,
    });
    expect(compareStreamSchemas('old', committed, undefined)).toMatchObject({
      breaking: true,
      proposedStream: 'old_v2',
    });
  });

  it('names versioned streams', () => {
    expect(nextStreamName('events')).toBe('events_v2');
    expect(nextStreamName('events_v2')).toBe('events_v3');
    expect(nextStreamName('things_v10')).toBe('things_v11');
  });
});
