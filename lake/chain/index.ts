/**
 * The audit chain: canonical serialization, SHA-256, and a verifier that needs nothing but the rows.
 * Workers-safe (no Node-only imports).
 *
 * @module
 */
export { canonicalJson } from './canonical-json.ts';
export { eventHash, hashInput } from './event-hash.ts';
export { sha256Hex, sha256HexPortable } from './sha256-hex.ts';
export {
  type ChainCheckpoint,
  type ChainEvent,
  type ChainProblem,
  type ChainProblemKind,
  type ChainReport,
  verifyChain,
} from './verify-chain.ts';
export {
  type AuditPublicKey,
  checkpointSigningText,
  deriveKeyId,
  fromBase64,
  importAuditPublicKeys,
  type SignatureStatus,
  type SignedCheckpointFields,
  toBase64Url,
  verifyCheckpointSignature,
} from './checkpoint-signature.ts';
