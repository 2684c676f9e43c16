import { canonicalJson } from './canonical-json.ts';
import { sha256Hex } from './sha256-hex.ts';

/** The checkpoint columns a signature covers (the row's `key_id` names the key that made it). */
export interface SignedCheckpointFields {
  ns: string;
  incarnation: string;
  head_seq: number | bigint;
  head_hash: string;
  count: number | bigint;
  ts: number | bigint;
  key_id: string;
}

/** A published checkpoint-signing public key, as a JWK (Ed25519, `kty: 'OKP'`) with its key id. */
export interface AuditPublicKey {
  kid: string;
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

/** How one checkpoint's signature stands. */
export type SignatureStatus = 'valid' | 'invalid' | 'unknown-key' | 'unsigned';

const ED25519 = { name: 'Ed25519' } as const;
const encoder = new TextEncoder();

/**
 * The exact text a checkpoint signature is made over: the canonical JSON of (count, head_hash,
 * head_seq, incarnation, key_id, ns, ts) under a `v` tag, integers in decimal. The DO signs it and
 * `verify` checks it, so both sides must agree byte for byte.
 *
 * @example
 * ```ts
 * import { checkpointSigningText } from './checkpoint-signature.ts';
 * checkpointSigningText({ ns: 'https://a.test', incarnation: 'i', head_seq: 2, head_hash: 'h', count: 2, ts: 5, key_id: 'k' });
 * // '{"count":"2","head_hash":"h","head_seq":"2","incarnation":"i","key_id":"k","ns":"https://a.test","ts":"5","v":"dotdo-checkpoint-1"}'
 * ```
 */
export function checkpointSigningText(row: SignedCheckpointFields): string {
  return canonicalJson({
    v: 'dotdo-checkpoint-1',
    ns: row.ns,
    incarnation: row.incarnation,
    head_seq: String(row.head_seq),
    head_hash: row.head_hash,
    count: String(row.count),
    ts: String(row.ts),
    key_id: row.key_id,
  });
}

/**
 * The key id a public key gets when none is given: `ed25519:` and the first 16 hex digits of the
 * SHA-256 of its `x`, so the same key always has the same id.
 *
 * @example
 * ```ts
 * import { deriveKeyId } from './checkpoint-signature.ts';
 * deriveKeyId('Fm22AKilN9Vxf_QWt_fODGOeWamKB4ysYo69ETBVb5U').startsWith('ed25519:'); // true
 * ```
 */
export const deriveKeyId = (x: string): string => `ed25519:${sha256Hex(x).slice(0, 16)}`;

/**
 * Base64url without padding, as JWK and our signatures spell bytes.
 *
 * @example
 * ```ts
 * import { toBase64Url } from './checkpoint-signature.ts';
 * toBase64Url(new Uint8Array([255, 255])); // '__8'
 * ```
 */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Bytes of base64 or base64url text; null when it is neither.
 *
 * @example
 * ```ts
 * import { fromBase64 } from './checkpoint-signature.ts';
 * fromBase64('__8')?.length; // 2
 * ```
 */
export function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  const plain = text.replace(/-/g, '+').replace(/_/g, '/');
  try {
    const binary = atob(plain.padEnd(Math.ceil(plain.length / 4) * 4, '='));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Imports published public keys for verification, by key id.
 *
 * @example
 * ```ts
 * import { importAuditPublicKeys } from './checkpoint-signature.ts';
 * const keys = await importAuditPublicKeys([{ kid: 'k1', kty: 'OKP', crv: 'Ed25519', x }]);
 * ```
 */
export async function importAuditPublicKeys(
  keys: readonly AuditPublicKey[],
): Promise<Map<string, CryptoKey>> {
  const byId = new Map<string, CryptoKey>();
  for (const key of keys) {
    const jwk = { kty: key.kty, crv: key.crv, x: key.x };
    byId.set(key.kid, await crypto.subtle.importKey('jwk', jwk, ED25519, false, ['verify']));
  }
  return byId;
}

/**
 * Checks a checkpoint row's signature against the keys by id: `unsigned` when the row carries none,
 * `unknown-key` when its key id is not among them, else `valid` or `invalid`.
 *
 * @example
 * ```ts
 * import { verifyCheckpointSignature } from './checkpoint-signature.ts';
 * await verifyCheckpointSignature({ ...row, key_id: null, signature: null }, keys); // 'unsigned'
 * ```
 */
export async function verifyCheckpointSignature(
  row: Omit<SignedCheckpointFields, 'key_id'> & { key_id?: string | null; signature?: string | null },
  keys: ReadonlyMap<string, CryptoKey>,
): Promise<SignatureStatus> {
  if (!row.signature || !row.key_id) return 'unsigned';
  const key = keys.get(row.key_id);
  if (!key) return 'unknown-key';
  const signature = fromBase64(row.signature);
  if (signature?.length !== 64) return 'invalid';
  const text = encoder.encode(checkpointSigningText({ ...row, key_id: row.key_id }));
  return (await crypto.subtle.verify(ED25519, key, signature as BufferSource, text)) ? 'valid' : 'invalid';
}
