/**
 * The global `things` row: one row per version. Things are never mutated; a new version is a new row,
 * and its `id` (the version reference) is unique and deterministic, so a re-sent row is a duplicate.
 *
 * @module
 */
import { z } from 'zod';
import { col } from './columns.ts';

/**
 * Bumped whenever a column is added; a breaking change gets a new versioned stream instead.
 *
 * @example
 * ```ts
 * import { THINGS_SCHEMA_VERSION } from './things.ts';
 * const row = { schema_version: THINGS_SCHEMA_VERSION, ...columns };
 * ```
 */
export const THINGS_SCHEMA_VERSION = 1;

/**
 * The zod schema of a global thing-version row.
 *
 * @example
 * ```ts
 * import { thingRow } from './things.ts';
 * thingRow.parse({
 *   schema_version: 1, id: 'https://startups.studio/acme@v12', thing: 'https://startups.studio/acme',
 *   ns: 'https://startups.studio', incarnation: 'i1', version: 12, previous_version: null,
 *   type: 'https://startups.studio/Startup', branch: null, name: 'Acme', data: { stage: 'seed' },
 *   deleted: false, visibility: 'user', action_id: null, ts: 1_764_000_000_000_000,
 * });
 * ```
 */
export const thingRow = z.object({
  schema_version: col.int32('version of this row contract'),
  id: col.versionRef('this version, e.g. https://startups.studio/acme@v12'),
  thing: col.url('the thing, e.g. https://startups.studio/acme'),
  ns: col.url('the namespace (the Durable Object) the thing lives in'),
  incarnation: col.string('id of the storage the version counts in'),
  version: col.int64('the version number (the local things rowid)'),
  previous_version: col.versionRef('the version this one replaced on its branch').nullable(),
  type: col.url('the noun as a URL, e.g. https://startups.studio/Startup'),
  branch: col.string().nullable(),
  name: col.string().nullable(),
  data: col.json('the thing as of this version').nullable(),
  deleted: col.bool('whether this version is a tombstone'),
  visibility: col.string('who may see it, e.g. public, org, user'),
  action_id: col.url('the action that wrote this version').nullable(),
  ts: col.timestamp('when this version was written'),
});

/** A global thing-version row. */
export type ThingRow = z.infer<typeof thingRow>;
