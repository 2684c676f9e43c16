import type { StandInResponse } from '../stand-in-response.ts';
import { type RecordCheck, summarize } from './check-records.ts';

/** The codes an ingest refusal carries (contract: `{"success": false, "error", "code"}`). */
export type IngestErrorCode =
  | 'unknown_stream'
  | 'invalid_stream'
  | 'unauthorized'
  | 'too_large'
  | 'malformed_json'
  | 'not_an_array'
  | 'schema_mismatch'
  | 'injected_fault'
  | 'method_not_allowed'
  | 'internal';

/**
 * An ingest failure in the platform's shape, with a code.
 *
 * @example
 * ```ts
 * import { ingestError } from './ingest-answers.ts';
 * ingestError(413, 'too_large', 'request body over 1048576 bytes').body; // { success: false, error: '…', code: 'too_large' }
 * ```
 */
export function ingestError(status: number, code: IngestErrorCode, error: string): StandInResponse {
  return { status, body: { success: false, error, code } };
}

/**
 * The answer to a request whose records do not all match: N of M records, every rejected index
 * (capped), and the first problems with values summarized.
 *
 * @example
 * ```ts
 * import { schemaMismatch } from './ingest-answers.ts';
 * schemaMismatch('events', 2, { invalid: 1, rejected: [1], ranges: [[1, 1]], details: [], reasons: [], otherReasons: 0 }).status; // 400
 * ```
 */
export function schemaMismatch(table: string, records: number, check: RecordCheck): StandInResponse {
  return {
    status: 400,
    body: {
      success: false,
      error: `${check.invalid} of ${records} records do not match the ${table} schema; none kept`,
      code: 'schema_mismatch',
      rejected: check.rejected,
      details: check.details,
    },
  };
}

/**
 * The rejects-file entry of a refused request: each rejected record once (in index order, up to about
 * the request's own size), the index ranges, and the reasons grouped by field and message.
 *
 * @example
 * ```ts
 * import { rejectsEntry } from './ingest-answers.ts';
 * const check = { invalid: 1, rejected: [0], ranges: [[0, 0]] as [number, number][], details: [], reasons: [], otherReasons: 0 };
 * JSON.parse(rejectsEntry({ stream: 'events', table: 'events', records: [{}], check, body: '[{}]' })).rows; // [{}]
 * ```
 */
export function rejectsEntry(input: {
  stream: string;
  table: string;
  records: readonly unknown[];
  check: RecordCheck;
  /** The request body (a JSON array): every record rejected, it is kept as it came. */
  body: string;
}): string {
  const { check } = input;
  if (check.invalid === input.records.length) {
    // Every record was rejected: the body is the rows, as sent (a raw newline is only whitespace).
    return `${head(input, 0).slice(0, -1)},"rows":${input.body.replaceAll('\n', ' ')}}`;
  }
  const rows: string[] = [];
  let bytes = 0;
  let omitted = 0;
  for (const [from, to] of check.ranges) {
    for (let index = from; index <= to; index++) {
      let text: string | undefined;
      try {
        text = JSON.stringify(input.records[index]);
      } catch {}
      if (text === undefined || bytes + text.length > input.body.length) {
        omitted += 1;
        continue;
      }
      bytes += text.length + 1;
      rows.push(text);
    }
  }
  // Each record was encoded once, above, to measure it: splice the encodings in as they are.
  return `${head(input, omitted).slice(0, -1)},"rows":[${rows.join(',')}]}`;
}

function head(
  input: { stream: string; table: string; records: readonly unknown[]; check: RecordCheck },
  omitted: number,
): string {
  const { check } = input;
  return JSON.stringify({
    at: new Date().toISOString(),
    kind: 'schema_mismatch',
    stream: input.stream,
    table: input.table,
    records: input.records.length,
    rejected: check.invalid,
    indices: check.ranges,
    reasons: check.reasons.map((r) => ({
      field: summarize(r.field, 120),
      message: r.message,
      count: r.count,
      indices: r.ranges,
    })),
    ...(check.otherReasons > 0 ? { otherReasons: check.otherReasons } : {}),
    ...(omitted > 0 ? { rowsOmitted: omitted } : {}),
  });
}
