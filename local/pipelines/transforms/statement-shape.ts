import type { z } from 'zod';
import { type ColumnInfo, columnsOf } from '../../../schemas/index.ts';
import type { SqlToken } from '../../../sql/index.ts';
import type { PipelineStatement } from '../../../sql/pipelines/index.ts';

/** `SELECT * FROM <stream>`, nothing else (the statement's tokens, a trailing `;` aside). */
function selectsEverything(statement: PipelineStatement): boolean {
  const words = statement.tokens.filter((t) => !(t.kind === 'symbol' && t.value === ';'));
  return (
    words.length === 4 &&
    words[0]!.kind === 'word' &&
    words[0]!.value.toUpperCase() === 'SELECT' &&
    words[1]!.value === '*' &&
    words[2]!.kind === 'word' &&
    words[2]!.value.toUpperCase() === 'FROM'
  );
}

/** The sink's columns are the stream's, in order, with the same lake types, none stricter about null. */
function sameColumns(columns: readonly ColumnInfo[], stream: z.ZodObject): boolean {
  const own = columnsOf(stream);
  return (
    own.length === columns.length &&
    own.every((c, i) => {
      const sink = columns[i]!;
      return c.name === sink.name && c.lakeType === sink.lakeType && (sink.nullable || !c.nullable);
    })
  );
}

/**
 * A statement whose rows are its batch's records as they are: `SELECT * FROM <stream>` into a sink
 * with the stream's columns (none stricter about null).
 *
 * @example
 * ```ts
 * import { isPassThrough } from './statement-shape.ts';
 * isPassThrough(statement, compiledColumns, eventRow); // true for INSERT INTO events_sink SELECT * FROM events
 * ```
 */
export function isPassThrough(
  statement: PipelineStatement,
  columns: readonly ColumnInfo[],
  stream: z.ZodObject,
): boolean {
  return selectsEverything(statement) && sameColumns(columns, stream);
}

/**
 * The token naming `name` (an alias when `output`: the last match before the top-level FROM).
 *
 * @example
 * ```ts
 * import { findName } from './statement-shape.ts';
 * findName(statement.tokens, 'seq')?.start;
 * ```
 */
export function findName(tokens: SqlToken[], name: string, output = false): SqlToken | undefined {
  const matches = (t: SqlToken) =>
    (t.kind === 'word' && t.value.toLowerCase() === name.toLowerCase()) ||
    (t.kind === 'quoted' && t.value === name);
  if (!output) return tokens.find(matches);
  const from = tokens.findIndex((t) => t.kind === 'word' && t.value === 'FROM');
  return tokens.slice(0, from === -1 ? tokens.length : from).findLast(matches);
}
