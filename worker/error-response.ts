import { RecordInputError, SinkError } from '../ingest/index.ts';

/** The body of every failure the Worker answers. */
export interface ErrorBody {
  code: string;
  message: string;
  field?: string;
}

/**
 * A JSON error response: `{"error": {"code", "message", "field"?}}`.
 *
 * @example
 * ```ts
 * import { errorResponse } from './error-response.ts';
 * errorResponse(404, { code: 'not_found', message: 'no route /x' });
 * ```
 */
export function errorResponse(status: number, error: ErrorBody): Response {
  return Response.json({ error }, { status });
}

// Errors thrown inside the Durable Object reach the Worker through RPC as plain Errors that keep
// their message (not their class), so they are recognised by what their messages say.
const RECORD_INPUT = /^record\(\): (\S+) /;
const CLASSIFIED: [RegExp, number, string][] = [
  [/SQLITE_TOOBIG|string or blob too big/i, 413, 'too_large'],
  [/serialized RPC|RPC .*(limit|too large)|exceeds? .*1 ?MiB/i, 413, 'too_large'],
  [/read-only/i, 409, 'read_only'],
  [/no branch "/, 404, 'unknown_branch'],
  [/^(POST .* (answered|failed)|Pipelines send of)/, 502, 'sink_error'],
  [/no sink: /, 503, 'no_sink'],
];

/**
 * Turns any thrown value into a JSON error response: a `RecordInputError` into a 400 naming its field,
 * a `SinkError` into a 502 with its code, `SQLITE_TOOBIG` and the RPC size limit into a 413, anything
 * else into a 500 `internal` — never a plain-text stack trace.
 *
 * @example
 * ```ts
 * import { toErrorResponse } from './error-response.ts';
 * try { return await handle(request); } catch (error) { return toErrorResponse(error); }
 * ```
 */
export function toErrorResponse(error: unknown): Response {
  if (error instanceof RecordInputError)
    return errorResponse(400, { code: error.code, message: error.message, field: error.field });
  if (error instanceof SinkError)
    return errorResponse(error.permanent ? 502 : 503, { code: error.code, message: error.message });
  const message = error instanceof Error ? error.message : String(error);
  const input = RECORD_INPUT.exec(message);
  if (input) return errorResponse(400, { code: 'invalid_input', message, field: input[1]! });
  for (const [pattern, status, code] of CLASSIFIED)
    if (pattern.test(message)) return errorResponse(status, { code, message });
  return errorResponse(500, { code: 'internal', message: message || 'internal error' });
}
