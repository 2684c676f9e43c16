import { z } from 'zod';
import type { Env } from './env.ts';
import { errorResponse } from './error-response.ts';

interface LocatableStub {
  receive(message: { kind: 'locate'; ns: string }): Promise<unknown>;
}

/**
 * The stub of the object a namespace lives in now: its home object (`getByName(ns)`), or — after a
 * `moveTo` — the object the home's objects table names. One extra call to the home per request.
 *
 * @example
 * ```ts
 * import { currentObject } from './object-routes.ts';
 * const stub = await currentObject(env.STARTUP, 'https://acme.startups.studio');
 * ```
 */
export async function currentObject<Stub>(
  namespace: {
    getByName(name: string): Stub;
    get(id: DurableObjectId): Stub;
    idFromString(id: string): DurableObjectId;
  },
  ns: string,
): Promise<Stub> {
  const home = namespace.getByName(ns);
  const id = await (home as unknown as LocatableStub).receive({ kind: 'locate', ns });
  return typeof id === 'string' ? namespace.get(namespace.idFromString(id)) : home;
}

/** The object operations, routed by the Worker's Hono app under `/ns/<host>/` and `/customers/<host>/`. */
export const OBJECT_OPERATIONS = ['move', 'raise', 'things', 'signup', 'charge'] as const;
export type ObjectOperation = (typeof OBJECT_OPERATIONS)[number];

/** A routed object request: which namespace kind, the host, the operation and the raw rest of the path. */
export interface ObjectRoute {
  kind: 'ns' | 'customers';
  host: string;
  operation: ObjectOperation;
  /** The path after the operation, still percent-encoded (a ref). */
  rest?: string;
}
const bodies = {
  move: z.object({ locationHint: z.string().min(1).max(32).optional() }).strict(),
  raise: z.object({ target: z.string().min(1), amount: z.number().int().positive() }).strict(),
  signup: z.object({ email: z.email() }).strict(),
  charge: z.object({ cents: z.number().int().positive().max(100_000_000) }).strict(),
};

const fail = (status: number, code: string, message: string, field?: string): Response =>
  errorResponse(status, { code, message, ...(field ? { field } : {}) });

async function parse<T>(request: Request, schema: z.ZodType<T>): Promise<T | Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return fail(400, 'malformed_json', 'body is not valid JSON');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return fail(400, 'invalid_body', issue.message, issue.path.join('.') || undefined);
}

/** A ref from the path, or a 400 when its percent-encoding is broken (`%zz`). */
function decodeRef(raw: string): string | Response {
  try {
    return decodeURIComponent(raw);
  } catch {
    return fail(
      400,
      'invalid_ref',
      `the ref in the path is not valid percent-encoding: ${raw.slice(0, 80)}`,
      'ref',
    );
  }
}

/**
 * The example Worker's object routes (moving a namespace, reading a thing, the Customer example).
 * Each namespace is reached through the objects table.
 *
 * @example
 * ```ts
 * import { objectRoute } from './object-routes.ts';
 * await objectRoute(request, env, { kind: 'ns', host: 'acme.startups.studio', operation: 'move' });
 * ```
 */
export async function objectRoute(request: Request, env: Env, route: ObjectRoute): Promise<Response> {
  const { kind, host, operation, rest } = route;
  const ns = `https://${host}`;
  try {
    if (kind === 'customers') {
      if (!env.CUSTOMER) return fail(501, 'not_bound', 'this deployment binds no CUSTOMER namespace');
      // A narrow view of the stub: the full RPC type of a JSON-valued result is too deep to spell out.
      const customer = (await currentObject(env.CUSTOMER, ns)) as unknown as {
        signUp(email: string): Promise<unknown>;
        charge(cents: number): Promise<unknown>;
      };
      if (operation === 'signup') {
        const body = await parse(request, bodies.signup);
        return body instanceof Response ? body : Response.json(await customer.signUp(body.email));
      }
      if (operation === 'charge') {
        const body = await parse(request, bodies.charge);
        return body instanceof Response ? body : Response.json(await customer.charge(body.cents));
      }
      return fail(404, 'no_route', `no route ${operation} for customers`);
    }
    const startup = (await currentObject(env.STARTUP, ns)) as unknown as {
      thing(ref: string): Promise<unknown>;
      moveTo(locationHint?: string): Promise<unknown>;
      raise(target: string, amount: number): Promise<unknown>;
    };
    if (operation === 'things') {
      const ref = rest ? decodeRef(rest) : null;
      if (ref instanceof Response) return ref;
      const thing = ref ? await startup.thing(ref) : null;
      return thing ? Response.json(thing) : fail(404, 'not_found', `no version named "${rest ?? ''}"`, 'ref');
    }
    if (request.method !== 'POST') return fail(405, 'method_not_allowed', `${operation} takes POST`);
    if (operation === 'move') {
      const body = await parse(request, bodies.move);
      return body instanceof Response ? body : Response.json(await startup.moveTo(body.locationHint));
    }
    if (operation === 'raise') {
      const body = await parse(request, bodies.raise);
      return body instanceof Response ? body : Response.json(await startup.raise(body.target, body.amount));
    }
    return fail(404, 'no_route', `no route ${operation} for ns`);
  } catch (error) {
    const message = (error as Error).message;
    // Errors cross RPC as name and message: a malformed ref is the caller's, anything else a refusal.
    if (operation === 'things' && /\bref "/.test(message)) return fail(400, 'invalid_ref', message, 'ref');
    return fail(409, 'refused', message);
  }
}
