import { apiError } from './api-error.ts';
import { namespaceInScope, namespacePattern } from './namespace-scope.ts';
import type { TokenScope } from './query-tokens.ts';

/**
 * A token's scope narrowed to the one namespace an `X-Namespace` header names (a dashboard's
 * namespace filter), or a 400/403 answer: the namespace must be an exact URL inside the token's own
 * scope, so narrowing can never widen what a token reads. No header: the scope as it is.
 *
 * @example
 * ```ts
 * import { narrowScope } from './narrow-scope.ts';
 * narrowScope(scope, 'https://a.startups.studio'); // { ...scope, namespaces: [{ kind: 'exact', url: 'https://a.startups.studio' }] }
 * ```
 */
export function narrowScope(scope: TokenScope, header: string | undefined): TokenScope | Response {
  if (header === undefined || header === '') return scope;
  const parsed = namespacePattern.safeParse(header.trim());
  if (!parsed.success || parsed.data.kind !== 'exact')
    return apiError(400, {
      code: 'invalid_namespace',
      message: `x-namespace must be one namespace URL (https://host), not "${header.slice(0, 100)}"`,
      field: 'x-namespace',
    });
  if (!namespaceInScope(scope.namespaces, parsed.data.url))
    return apiError(403, {
      code: 'forbidden',
      message: `this token may not read namespace ${parsed.data.url}`,
      field: 'x-namespace',
    });
  return { ...scope, namespaces: [parsed.data] };
}
