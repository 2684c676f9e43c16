import { col } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { defineStreamView } from '../../define-stream-view.ts';

/**
 * Failed actions, materialized at ingest: one row per failed action's event, with what failed, who
 * asked, how long it took (in seconds) and the error's code and message pulled out of its JSON.
 *
 * @example
 * ```ts
 * import { failedActions } from './failed-actions.ts';
 * failedActions.pipeline.sql.endsWith("WHERE status = 'failed'"); // true
 * failedActions.sink.table; // 'failed_actions_v1'
 * ```
 */
export const failedActions = defineStreamView({
  name: 'failed_actions',
  description: 'failed actions as they land: what failed, who asked, how long it took, the error',
  from: 'events',
  select: {
    ts: 'ts',
    event: 'event',
    type: 'type',
    target: 'target',
    actor: 'actor',
    durability: 'durability',
    action_id: 'action_id',
    seconds: { sql: sql`CAST(duration_ms AS DOUBLE) / 1000.0`, type: col.float64().nullable() },
    error_code: { sql: sql`json_get_str(error, 'code')`, type: col.string().nullable() },
    error_message: { sql: sql`json_get_str(error, 'message')`, type: col.string().nullable() },
  },
  where: sql`status = 'failed'`,
});
