/**
 * The SOC2 audit views: the trail by actor, target and time; completeness and gaps per namespace;
 * chain linkage; checkpoint reconciliation; who changed a thing between two versions.
 *
 * @module
 */
import { auditChainLinks } from './audit-chain-links.ts';
import { auditCheckpoints } from './audit-checkpoints.ts';
import { auditCompleteness, auditGaps } from './audit-completeness.ts';
import { auditEvents } from './audit-events.ts';
import { auditThingChanges } from './audit-thing-changes.ts';
import { auditTrail, auditTrailByActor, auditTrailByTarget } from './audit-trail.ts';

export {
  auditChainLinks,
  auditCheckpoints,
  auditCompleteness,
  auditEvents,
  auditGaps,
  auditThingChanges,
  auditTrail,
  auditTrailByActor,
  auditTrailByTarget,
};

/**
 * Every audit view, for a registry.
 *
 * @example
 * ```ts
 * import { auditViews } from './index.ts';
 * auditViews.length; // 9
 * ```
 */
export const auditViews = [
  auditTrail,
  auditTrailByActor,
  auditTrailByTarget,
  auditCompleteness,
  auditGaps,
  auditChainLinks,
  auditCheckpoints,
  auditEvents,
  auditThingChanges,
] as const;
