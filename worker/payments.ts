import type { Env } from './env.ts';

/**
 * Charges a customer through the payments API (`PAYMENTS_URL`); throws unless it accepted, so a
 * durable action retries it.
 *
 * @example
 * ```ts
 * import { pay } from './payments.ts';
 * await pay(env, 'https://ada.customers.example.com', 1200);
 * ```
 */
export async function pay(env: Env, customer: string, cents: number): Promise<void> {
  if (!env.PAYMENTS_URL) throw new Error('no PAYMENTS_URL: set the payments API in wrangler.toml vars');
  const paid = await fetch(`${env.PAYMENTS_URL}/charges`, {
    method: 'POST',
    body: JSON.stringify({ customer, cents }),
  });
  if (!paid.ok) throw new Error(`payments answered ${paid.status}`);
}
