import { createTokenVerifier, type QueryTokenConfig, type TokenScope } from '../query/api/index.ts';
import type { Env } from './env.ts';
import { errorResponse } from './error-response.ts';

const verifiers = new WeakMap<Env, ReturnType<typeof createTokenVerifier> | null>();

function verifierOf(env: Env) {
  if (!verifiers.has(env)) {
    let tokens: QueryTokenConfig[] = [];
    try {
      tokens = env.QUERY_TOKENS ? (JSON.parse(env.QUERY_TOKENS) as QueryTokenConfig[]) : [];
    } catch {
      tokens = [];
    }
    verifiers.set(env, tokens.length > 0 ? createTokenVerifier(tokens) : null);
  }
  return verifiers.get(env) ?? null;
}

/**
 * The scope of a request's bearer token among the query API's tokens (`QUERY_TOKENS`), or the 401
 * to answer: the Worker's routes beside the query API (`/rollups`, `/audit/health`) take the same
 * tokens, so a tenant sees there only what the API would show it.
 *
 * @example
 * ```ts
 * import { tokenScopeOf } from './query-token-scope.ts';
 * const scope = await tokenScopeOf(request, env);
 * if (scope instanceof Response) return scope;
 * ```
 */
export async function tokenScopeOf(request: Request, env: Env): Promise<TokenScope | Response> {
  const verifier = verifierOf(env);
  const scope = verifier ? await verifier.verify(request.headers.get('authorization')) : null;
  if (scope) return scope;
  return errorResponse(401, {
    code: 'unauthorized',
    message: verifier ? 'send Authorization: Bearer <a valid query token>' : 'no query tokens are configured',
  });
}
