/**
 * `verify`: proves the audit trail in the lake complete and unaltered, from lake rows alone, read by
 * any engine. Workers-safe (the CLI and the Worker's cron both run it).
 *
 * @module
 */
export {
  type CheckCheckpointsOptions,
  type CheckedCheckpoint,
  type CheckedCheckpoints,
  checkCheckpoints,
} from './check-checkpoints.ts';
export {
  type ChainVerifier,
  type ChainVerifierConfig,
  createChainVerifier,
  VerifyInputError,
} from './chain-verifier.ts';
export { LakeRowError, normalizeCheckpointRow, normalizeEventRow } from './normalize-lake-row.ts';
export { type VerifyLakeOptions, verifyLake } from './verify-lake.ts';
export {
  formatVerifyReport,
  type SignatureSummary,
  type VerifyProblem,
  type VerifyProblemKind,
  type VerifyReport,
} from './verify-report.ts';
export { type RowSource, type VerifyRowsOptions, verifyRows } from './verify-rows.ts';
