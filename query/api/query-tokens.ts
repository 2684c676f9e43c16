import { z } from 'zod';
import { type NamespacePattern, namespacePattern } from './namespace-scope.ts';

/**
 * One API token as the server stores it: the SHA-256 of the token (never the token itself), the
 * namespaces it may read (exact URLs, host patterns like `https://*.acme.com`, or `*` for all), and
 * optionally the only views it may run. `admin` also allows raw R2 SQL (`POST /sql`).
 *
 * @example
 * ```ts
 * import { queryTokenConfig } from './query-tokens.ts';
 * queryTokenConfig.parse({ sha256: 'ab'.repeat(32), namespaces: ['https://acme.startups.studio'] }).admin; // false
 * ```
 */
export const queryTokenConfig = z
  .object({
    /** A name for logs and errors (default: the hash's first 8 hex digits). */
    name: z.string().min(1).max(100).optional(),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'the SHA-256 of the token as 64 hex digits (see hashToken)')
      .transform((hex) => hex.toLowerCase()),
    namespaces: z.array(namespacePattern).min(1, 'bind the token to at least one namespace'),
    /** View names (`name`, or `name@version` for one version); absent: every view. */
    views: z.array(z.string().min(1)).optional(),
    admin: z.boolean().default(false),
  })
  .strict();

/** A token entry in the input form (what a config or secret holds). */
export type QueryTokenConfig = z.input<typeof queryTokenConfig>;

/** What a verified token may do. */
export interface TokenScope {
  name: string;
  namespaces: NamespacePattern[];
  views?: string[];
  admin: boolean;
}

/**
 * The SHA-256 of a token as 64 lower-case hex digits, the form a token is stored in (WebCrypto: the
 * same in Workers and Node).
 *
 * @example
 * ```ts
 * import { hashToken } from './query-tokens.ts';
 * (await hashToken('s3cret')).length; // 64
 * ```
 */
export async function hashToken(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const fromHex = (hex: string): Uint8Array => {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
};

/** Compares every byte of every entry, so the time taken says nothing about which bytes matched. */
function constantTimeFind(digest: Uint8Array, hashes: Uint8Array[]): number {
  let found = -1;
  for (let t = 0; t < hashes.length; t++) {
    const hash = hashes[t]!;
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= digest[i]! ^ hash[i]!;
    // Branch-free select: keeps the first match without an early exit.
    const match = ((diff - 1) >>> 31) & (found >>> 31);
    found = match ? t : found;
  }
  return found;
}

/** Checks presented tokens against the stored hashes. */
export interface TokenVerifier {
  /** The scope of the token an `Authorization: Bearer <token>` header carries; null when none matches. */
  verify(authorization: string | null | undefined): Promise<TokenScope | null>;
  /** How many tokens are configured. */
  readonly size: number;
}

/**
 * A verifier over stored token hashes: the presented token is hashed and compared with every stored
 * hash in constant time. Throws a clear error naming the entry when the config is malformed.
 *
 * @example
 * ```ts
 * import { createTokenVerifier, hashToken } from './query-tokens.ts';
 * const verifier = createTokenVerifier([{ sha256: await hashToken('t'), namespaces: ['https://a.test'] }]);
 * (await verifier.verify('Bearer t'))?.namespaces.length; // 1
 * ```
 */
export function createTokenVerifier(tokens: readonly QueryTokenConfig[]): TokenVerifier {
  const parsed = z.array(queryTokenConfig).safeParse(tokens);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`query tokens[${issue.path.join('.')}]: ${issue.message}`);
  }
  const scopes: TokenScope[] = parsed.data.map((t) => ({
    name: t.name ?? t.sha256.slice(0, 8),
    namespaces: t.namespaces,
    ...(t.views ? { views: t.views } : {}),
    admin: t.admin,
  }));
  const hashes = parsed.data.map((t) => fromHex(t.sha256));
  return {
    size: scopes.length,
    async verify(authorization) {
      const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization ?? '');
      if (!match || hashes.length === 0) return null;
      const digest = fromHex(await hashToken(match[1]!));
      const index = constantTimeFind(digest, hashes);
      return index < 0 ? null : scopes[index]!;
    },
  };
}
