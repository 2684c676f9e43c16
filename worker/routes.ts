import { z } from 'zod';
import { type RecordInput, RecordInputError, validateRecordInput } from '../ingest/index.ts';
import { ACTION_STATUSES, DURABILITIES } from '../schemas/index.ts';
import { handleAuditRoute } from './audit-routes.ts';
import { errorResponse, toErrorResponse } from './error-response.ts';
import { lakeEngine, latestEvents } from './lake-queries.ts';
import { currentObject, handleObjectRoute } from './object-routes.ts';
import type { Env } from './startup.ts';

const json = z.json();
/** The body of `POST /ns/<host>/actions`: one action or an array of them. */
export const actionInput = z
  .object({
    verb: z.string().regex(/^[a-z][a-zA-Z]*$/, 'one lower-case imperative word, e.g. "create"'),
    type: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'a PascalCase noun, e.g. "Startup"'),
    target: z.string().min(1),
    data: json.optional(),
    deleted: z.boolean().optional(),
    name: z.string().nullable().optional(),
    actor: z.string().min(1).nullable().optional(),
    durability: z.enum(DURABILITIES).optional(),
    status: z.enum(ACTION_STATUSES).optional(),
    branch: z.string().min(1).nullable().optional(),
    ts: z.number().int().optional(),
    requestId: z.string().nullable().optional(),
    sessionId: z.string().nullable().optional(),
    workflowId: z.string().nullable().optional(),
    correlationId: z.string().nullable().optional(),
  })
  .strict();
const actionsArray = z.array(actionInput).min(1).max(1000);
const seedBody = z.object({ count: z.number().int().min(1).max(100_000) }).strict();
const resendBody = z
  .object({ seqs: z.array(z.number().int().min(1)).min(1).max(10_000).optional() })
  .strict();

const OPERATIONS = 'actions|flush|seed|pending|events|dead-letters|resend';
const ROUTE = new RegExp(`^/ns/([a-z0-9.-]+(?::\\d+)?)/(${OPERATIONS})$`);
const READS = new Set(['pending', 'events', 'dead-letters']);

const answer = (status: number, body: unknown): Response => Response.json(body, { status });

/** A zod failure as a 400 naming the first bad field (every problem in the message). */
function invalid(error: z.ZodError): Response {
  const issues = error.issues.map((issue) => {
    const path = issue.path.join('.');
    return { path, message: issue.message };
  });
  const first = issues[0]!;
  return errorResponse(400, {
    code: 'invalid_body',
    message: issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '),
    ...(first.path ? { field: first.path } : {}),
  });
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return Symbol.for('malformed');
  }
}

function intParam(url: URL, name: string, fallback: number, max: number): number | Response {
  const raw = url.searchParams.get(name);
  const value = raw === null ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max)
    return errorResponse(400, {
      code: 'invalid_query',
      message: `${name} must be an integer from 0 to ${max}`,
      field: name,
    });
  return value;
}

async function read(operation: string, url: URL, env: Env, ns: string): Promise<Response> {
  const stub = await currentObject(env.STARTUP, ns);
  if (operation === 'pending') return answer(200, await stub.status(ns));
  if (operation === 'dead-letters') {
    const limit = intParam(url, 'limit', 100, 1000);
    if (limit instanceof Response) return limit;
    const after = intParam(url, 'after', 0, Number.MAX_SAFE_INTEGER);
    if (after instanceof Response) return after;
    const [status, deadLetters] = await Promise.all([stub.status(ns), stub.deadLetters(ns, limit, after)]);
    return answer(200, { count: status.deadLetters, deadLetters });
  }
  const limit = intParam(url, 'limit', 50, 500);
  if (limit instanceof Response) return limit;
  if (limit === 0)
    return errorResponse(400, { code: 'invalid_query', message: 'limit must be at least 1', field: 'limit' });
  try {
    return answer(200, { events: await latestEvents(lakeEngine(env), ns, limit) });
  } catch (error) {
    return errorResponse(502, {
      code: 'lake_query_failed',
      message: `lake query failed: ${(error as Error).message}`,
    });
  }
}

/** Checks every action as record() will, so a bad one is a 400 naming it before anything is written. */
function checkActions(ns: string, inputs: RecordInput[], many: boolean): Response | null {
  for (let i = 0; i < inputs.length; i++) {
    try {
      validateRecordInput(ns, inputs[i]!);
    } catch (error) {
      if (!(error instanceof RecordInputError)) throw error;
      return errorResponse(400, {
        code: error.code,
        message: many ? `actions[${i}]: ${error.message}` : error.message,
        field: many ? `${i}.${error.field}` : error.field,
      });
    }
  }
  return null;
}

async function write(operation: string, request: Request, env: Env, ns: string): Promise<Response> {
  const stub = await currentObject(env.STARTUP, ns);
  if (operation === 'flush') return answer(200, await stub.flush(ns));
  const body = await readJson(request);
  if (typeof body === 'symbol')
    return errorResponse(400, { code: 'malformed_json', message: 'body is not valid JSON' });
  if (operation === 'resend') {
    const parsed = resendBody.safeParse(body ?? {});
    return parsed.success ? answer(200, await stub.resend(ns, parsed.data.seqs)) : invalid(parsed.error);
  }
  if (operation === 'seed') {
    const parsed = seedBody.safeParse(body);
    return parsed.success ? answer(200, await stub.seed(ns, parsed.data.count)) : invalid(parsed.error);
  }
  const many = Array.isArray(body);
  const parsed = many ? actionsArray.safeParse(body) : actionInput.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const inputs = (many ? parsed.data : [parsed.data]) as RecordInput[];
  const refused = checkActions(ns, inputs, many);
  if (refused) return refused;
  const recorded = [];
  for (const input of inputs) recorded.push(await stub.record(ns, input));
  return answer(200, { recorded });
}

/**
 * Routes `/ns/<host>/<operation>` to the namespace's Durable Object (`https://<host>`): `POST actions`
 * (one action or up to 1000), `POST flush`, `POST seed`, `GET pending` (outbox and dead-letter counts),
 * `GET events`, `GET dead-letters`, `POST resend`. Every failure answers
 * `{"error": {"code", "message", "field"?}}` with a fitting status.
 *
 * @example
 * ```ts
 * await fetch('http://localhost:8787/ns/acme.startups.studio/actions', { method: 'POST', body: JSON.stringify({ verb: 'create', type: 'Startup', target: 'acme' }) });
 * ```
 */
export async function handle(request: Request, env: Env): Promise<Response> {
  const routed = await handleObjectRoute(request, env);
  if (routed) return routed;
  try {
    const audit = await handleAuditRoute(request, env);
    if (audit) return audit;
  } catch (error) {
    return toErrorResponse(error);
  }
  const url = new URL(request.url);
  const match = ROUTE.exec(url.pathname);
  if (!match)
    return errorResponse(404, {
      code: 'not_found',
      message: `no route ${url.pathname}; use /ns/<host>/(${OPERATIONS})`,
    });
  const [, host, operation] = match as unknown as [string, string, string];
  const ns = `https://${host}`;
  const reads = READS.has(operation);
  if (reads !== (request.method === 'GET'))
    return errorResponse(405, {
      code: 'method_not_allowed',
      message: `${operation} takes ${reads ? 'GET' : 'POST'}`,
    });
  try {
    return reads ? await read(operation, url, env, ns) : await write(operation, request, env, ns);
  } catch (error) {
    return toErrorResponse(error);
  }
}
