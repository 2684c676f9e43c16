import { z } from 'zod';
import { type SqlFragment, sql } from '../../sql/index.ts';

/**
 * A namespace a token may read: `{ exact }` one namespace URL, `{ hosts }` every namespace whose host
 * is a subdomain of a suffix (`https://*.acme.com`), or `{ all: true }` (`*`).
 */
export type NamespacePattern =
  | { kind: 'exact'; url: string }
  | { kind: 'hosts'; scheme: 'http' | 'https'; suffix: string; source: string }
  | { kind: 'all' };

const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const EXACT = /^(https?):\/\/([^/?#:@]+)(:\d{1,5})?$/;
const WILDCARD = /^(https?):\/\/\*\.([^/?#:@*]+)$/;

function toPattern(text: string): NamespacePattern | string {
  if (text === '*') return { kind: 'all' };
  const wildcard = WILDCARD.exec(text);
  if (wildcard) {
    const [, scheme, suffix] = wildcard as unknown as [string, 'http' | 'https', string];
    return HOST.test(suffix) && suffix.includes('.')
      ? { kind: 'hosts', scheme, suffix, source: text }
      : `"${text}": the part after "*." must be a lower-case domain with a dot, e.g. https://*.acme.com`;
  }
  const exact = EXACT.exec(text);
  if (exact && HOST.test(exact[2]!)) return { kind: 'exact', url: text };
  return `"${text.slice(0, 100)}" is not a namespace: use https://host[:port], https://*.domain or *`;
}

/**
 * A namespace pattern in a token's config, parsed: `https://acme.startups.studio` (exact),
 * `https://*.acme.com` (any subdomain of acme.com, not acme.com itself) or `*` (every namespace).
 *
 * @example
 * ```ts
 * import { namespacePattern } from './namespace-scope.ts';
 * namespacePattern.parse('https://*.acme.com').kind; // 'hosts'
 * ```
 */
export const namespacePattern = z.string().transform((text, ctx): NamespacePattern => {
  const pattern = toPattern(text);
  if (typeof pattern === 'string') {
    ctx.addIssue({ code: 'custom', message: pattern });
    return z.NEVER;
  }
  return pattern;
});

/** `\`, `%` and `_` escaped for a LIKE pattern with `ESCAPE '\'`. */
const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
/** Regex metacharacters escaped. */
const regexEscape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => `\\${c}`);

function hostsPredicate(pattern: Extract<NamespacePattern, { kind: 'hosts' }>): SqlFragment {
  const prefix = `${pattern.scheme}://`;
  const like = `${likeEscape(prefix)}%.${likeEscape(pattern.suffix)}`;
  // LIKE alone would let `%` match `/`, `?` or `@` (`https://evil.test/x.acme.com`): the regex pins
  // the wildcard to host labels.
  const regex = `^${regexEscape(prefix)}[a-z0-9-]+(\\.[a-z0-9-]+)*\\.${regexEscape(pattern.suffix)}$`;
  return sql`(ns LIKE ${like} ESCAPE '\\' AND regexp_like(ns, ${regex}))`;
}

/**
 * The predicate on `ns` that keeps a scope's namespaces: `ns IN (…)` for exact ones, a LIKE plus a
 * host-label regex per pattern, `TRUE` for `*`. Every value reaches SQL through the `sql` template.
 *
 * @example
 * ```ts
 * import { namespacePattern, namespacePredicate } from './namespace-scope.ts';
 * namespacePredicate([namespacePattern.parse('https://a.test')]).text; // "ns IN ('https://a.test')"
 * ```
 */
export function namespacePredicate(patterns: readonly NamespacePattern[]): SqlFragment {
  if (patterns.some((p) => p.kind === 'all')) return sql`TRUE`;
  const exact = patterns.flatMap((p) => (p.kind === 'exact' ? [p.url] : []));
  const parts: SqlFragment[] = [];
  if (exact.length > 0)
    parts.push(
      sql`ns IN (${sql.join(
        exact.map((url) => sql`${url}`),
        ', ',
      )})`,
    );
  for (const p of patterns) if (p.kind === 'hosts') parts.push(hostsPredicate(p));
  if (parts.length === 0) return sql`FALSE`;
  return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, ' OR ')})`;
}

/**
 * Whether a namespace URL is inside the patterns (the same rule the SQL predicate applies).
 *
 * @example
 * ```ts
 * import { namespacePattern, namespaceInScope } from './namespace-scope.ts';
 * namespaceInScope([namespacePattern.parse('https://*.acme.com')], 'https://x.acme.com'); // true
 * ```
 */
export function namespaceInScope(patterns: readonly NamespacePattern[], ns: string): boolean {
  return patterns.some((p) => {
    if (p.kind === 'all') return true;
    if (p.kind === 'exact') return p.url === ns;
    const prefix = `${p.scheme}://`;
    if (!ns.startsWith(prefix) || !ns.endsWith(`.${p.suffix}`)) return false;
    return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(ns.slice(prefix.length, ns.length - p.suffix.length - 1));
  });
}

/**
 * The table references a scope may read: each table as a derived table filtered to the scope's
 * namespaces, `(SELECT * FROM "analytics"."events" WHERE ns IN (…))`. Passed to `view.render(params,
 * { table })`, so no view and no param reaches another tenant's rows.
 *
 * @example
 * ```ts
 * import { namespacePattern, tenantTables } from './namespace-scope.ts';
 * tenantTables([namespacePattern.parse('https://a.test')])('events').text; // `(SELECT * FROM "analytics"."events" WHERE ns IN ('https://a.test'))`
 * ```
 */
export function tenantTables(
  patterns: readonly NamespacePattern[],
  namespace = 'analytics',
): (name: string) => SqlFragment {
  const predicate = namespacePredicate(patterns);
  return (name) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`table "${name}" must be a lower-case identifier`);
    return sql`(SELECT * FROM ${sql.id(namespace, name)} WHERE ${predicate})`;
  };
}
