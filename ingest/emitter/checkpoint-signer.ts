import {
  type AuditPublicKey,
  checkpointSigningText,
  deriveKeyId,
  fromBase64,
  toBase64Url,
} from '../../lake/chain/index.ts';
import type { CheckpointRow } from '../../schemas/index.ts';

/** Signs checkpoint rows inside the Durable Object with the audit key. */
export interface CheckpointSigner {
  keyId: string;
  /** The public half, to publish (`GET /audit/keys`) and to give `verify`. */
  publicKey: AuditPublicKey;
  /** The row with `key_id` and `signature` set. */
  sign(row: CheckpointRow): Promise<CheckpointRow>;
}

/** A signing key that cannot be used, with what is wrong with it (never the key itself). */
export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
  readonly code = 'invalid_signing_key';
}

const ED25519 = { name: 'Ed25519' } as const;
const encoder = new TextEncoder();

async function importPrivate(
  secret: string,
): Promise<{ key: CryptoKey; jwk: JsonWebKey & { kid?: string } }> {
  const text = secret.trim();
  let key: CryptoKey;
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey;
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d || !jwk.x)
        throw new SigningKeyError(
          'the signing key JWK must be an Ed25519 private key (kty OKP, crv Ed25519, d, x)',
        );
      key = await crypto.subtle.importKey(
        'jwk',
        { kty: 'OKP', crv: 'Ed25519', d: jwk.d, x: jwk.x },
        ED25519,
        true,
        ['sign'],
      );
      return { key, jwk: jwk as JsonWebKey & { kid?: string } };
    }
    const der = fromBase64(text);
    if (!der) throw new SigningKeyError('the signing key is neither a JWK (JSON) nor base64 PKCS8');
    key = await crypto.subtle.importKey('pkcs8', der as BufferSource, ED25519, true, ['sign']);
  } catch (cause) {
    if (cause instanceof SigningKeyError) throw cause;
    throw new SigningKeyError(`the signing key could not be imported as Ed25519: ${(cause as Error).name}`);
  }
  return { key, jwk: (await crypto.subtle.exportKey('jwk', key)) as JsonWebKey };
}

/**
 * Creates the checkpoint signer from the audit secret (e.g. `env.AUDIT_SIGNING_KEY`): an Ed25519
 * private key as a JWK (JSON; its `kid` is used) or as base64 PKCS8. The key id is, in order, the one
 * given, the JWK's `kid`, or derived from the public key. Signatures are over
 * `checkpointSigningText` (ns, incarnation, head seq, head hash, count, ts, key id); Ed25519 is
 * deterministic, so a re-sent checkpoint carries the same signature.
 *
 * @example
 * ```ts
 * import { createCheckpointSigner } from './checkpoint-signer.ts';
 * const signer = await createCheckpointSigner(env.AUDIT_SIGNING_KEY, 'k2026');
 * const signed = await signer.sign(row); // signed.key_id === 'k2026'
 * ```
 */
export async function createCheckpointSigner(secret: string, keyId?: string): Promise<CheckpointSigner> {
  const { key, jwk } = await importPrivate(secret);
  const x = jwk.x!;
  const kid = keyId || jwk.kid || deriveKeyId(x);
  return {
    keyId: kid,
    publicKey: { kid, kty: 'OKP', crv: 'Ed25519', x },
    async sign(row) {
      const unsigned = { ...row, key_id: kid };
      const text = encoder.encode(checkpointSigningText(unsigned));
      const signature = new Uint8Array(await crypto.subtle.sign(ED25519, key, text));
      return { ...unsigned, signature: toBase64Url(signature) };
    },
  };
}
