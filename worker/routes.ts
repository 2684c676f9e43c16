import { z } from 'zod';
import { ACTION_STATUSES, DURABILITIES } from '../schemas/index.ts';
import type { Env } from './startup.ts';
import { lakeEngine, latestEvents } from './lake-queries.ts';
import { currentObject, handleObjectRoute } from './object-routes.ts';

const json = z.json();
/** The body of `POST /ns/<host>/actions`: one action or an array of them. */
export const actionInput = z
  .object({
    verb: z.string().regex(/^[a-z][a-zA-Z]*$/, 'one lower-case imperative word, e.g. "create"'),
    type: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'a PascalCase noun, e.g. "Startup"'),
    target: z.string().min(1),
    data: json.optional(),
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
const actionsBody = z.union([actionInput, z.array(actionInput).min(1).max(1000)]);
const seedBody = z.object({ count: z.number().int().min(1).max(100_000) }).strict();

const ROUTE = /^\/ns\/([a-z0-9.-]+(?::\d+)?)\/(actions|flush|seed|pending|events)$/;

const answer = (status: number, body: unknown): Response => Response.json(body, { status });

function invalid(error: z.ZodError): Response {
  return answer(400, {
    error: 'invalid body',
    issues: error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message })),
  });
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return Symbol.for('malformed');
  }
}

/**
 * Routes `/ns/<host>/<operation>` to the namespace's Durable Object (`https://<host>`).
 *
 * @example
 * ```ts
 * await fetch('http://localhost:8787/ns/acme.startups.studio/actions', { method: 'POST', body: JSON.stringify({ verb: 'create', type: 'Startup', target: 'acme' }) });
 * ```
 */
export async function handle(request: Request, env: Env): Promise<Response> {
  const routed = await handleObjectRoute(request, env);
  if (routed) return routed;
  const url = new URL(request.url);
  const match = ROUTE.exec(url.pathname);
  if (!match)
    return answer(404, {
      error: `no route ${url.pathname}; use /ns/<host>/(actions|flush|seed|pending|events)`,
    });
  const [, host, operation] = match as unknown as [string, string, string];
  const ns = `https://${host}`;
  const stub = await currentObject(env.STARTUP, ns);
  if (operation === 'pending') return answer(200, { pending: await stub.pending(ns) });
  if (operation === 'events') {
    const limit = Number(url.searchParams.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      return answer(400, { error: 'limit must be an integer from 1 to 500' });
    try {
      return answer(200, { events: await latestEvents(lakeEngine(env), ns, limit) });
    } catch (error) {
      return answer(502, { error: `lake query failed: ${(error as Error).message}` });
    }
  }
  if (request.method !== 'POST') return answer(405, { error: `${operation} takes POST` });
  if (operation === 'flush') return answer(200, await stub.flush(ns));
  const body = await readJson(request);
  if (typeof body === 'symbol') return answer(400, { error: 'body is not valid JSON' });
  if (operation === 'seed') {
    const parsed = seedBody.safeParse(body);
    return parsed.success ? answer(200, await stub.seed(ns, parsed.data.count)) : invalid(parsed.error);
  }
  const parsed = actionsBody.safeParse(body);
  if (!parsed.success) return invalid(parsed.error);
  const inputs = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const recorded = [];
  for (const input of inputs) recorded.push(await stub.record(ns, input));
  return answer(200, { recorded });
}
