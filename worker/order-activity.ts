import { count, countDistinct, defineRollup, last } from '../views/index.ts';

/**
 * The example's materialized rollup: order activity per namespace per hour. Kept apart from the
 * Durable Object class so Node tools (the CLI's backfill) can import it.
 *
 * @example
 * ```ts
 * import { orderActivity } from './order-activity.ts';
 * orderActivity.key; // 'order_activity@1'
 * ```
 */
export const orderActivity = defineRollup('order_activity', {
  from: ['Order.created', 'Order.updated', 'Order.archived'],
  groupBy: ['ns'],
  compute: { events: count(), actors: countDistinct('actor'), last_at: last('ts') },
  window: 'hour',
  description: 'Order events and distinct actors per namespace per hour',
});

/** Every rollup the example Worker materializes (its `Rollups` refresher keeps them fresh). */
export const exampleRollups = [orderActivity] as const;
