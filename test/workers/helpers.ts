import { inject } from 'vitest';

/** Base URL of the local stand-ins started by the global setup. */
export const stackUrl = (): string => inject('stackUrl');

/** Runs SQL through the R2 SQL stand-in (DuckDB over the lake) and returns its rows. */
export async function lakeQuery<Row = Record<string, unknown>>(sql: string): Promise<Row[]> {
  const response = await fetch(`${stackUrl()}/api/v1/accounts/local/r2-sql/query/lake`, {
    method: 'POST',
    body: JSON.stringify({ query: sql }),
  });
  const body = (await response.json()) as { success: boolean; errors: unknown[]; result: { rows: Row[] } };
  if (!body.success) throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
  return body.result.rows;
}

/** Rolls every stream of the Pipelines stand-in into Parquet now. */
export async function roll(): Promise<{ path: string; rows: number }[]> {
  const response = await fetch(`${stackUrl()}/_admin/roll`, { method: 'POST' });
  return ((await response.json()) as { files: { path: string; rows: number }[] }).files;
}

/** Makes the next ingest requests answer these statuses. */
export async function injectIngestFaults(statuses: number[]): Promise<void> {
  const response = await fetch(`${stackUrl()}/_admin/faults`, {
    method: 'POST',
    body: JSON.stringify({ ingest: statuses }),
  });
  if (!response.ok) throw new Error(`could not inject faults: ${await response.text()}`);
}

/** Fails ingest requests at random: `rate` of them, `after` of those after storing (lost acknowledgement). */
export async function injectRandomFaults(rate: number, after = 0, seed = 1): Promise<void> {
  const response = await fetch(`${stackUrl()}/_admin/faults`, {
    method: 'POST',
    body: JSON.stringify({ rate, after, seed }),
  });
  if (!response.ok) throw new Error(`could not set random faults: ${await response.text()}`);
}

/** How many ingest faults the stand-in injected: before storing, and after (lost acknowledgements). */
export async function injectedFaults(): Promise<{ before: number; after: number }> {
  return (
    (await (await fetch(`${stackUrl()}/_admin/faults`)).json()) as {
      injected: { before: number; after: number };
    }
  ).injected;
}

/** Queues `times` failures of the payments API for one customer. */
export async function failPayments(customer: string, times: number): Promise<void> {
  const response = await fetch(`${inject('paymentsUrl')}/_admin/fail`, {
    method: 'POST',
    body: JSON.stringify({ customer, times }),
  });
  if (!response.ok) throw new Error(`could not queue payment failures: ${await response.text()}`);
}

/** How many charge calls the payments API saw for one customer. */
export async function paymentAttempts(customer: string): Promise<number> {
  const attempts = (await (await fetch(`${inject('paymentsUrl')}/attempts`)).json()) as Record<
    string,
    number
  >;
  return attempts[customer] ?? 0;
}

/** Lake rows of one namespace, oldest seq first (duplicates included). */
export async function lakeEvents(ns: string): Promise<Record<string, unknown>[]> {
  await roll();
  return lakeQuery(
    `SELECT * FROM analytics.events WHERE ns = '${ns.replace(/'/g, "''")}' ORDER BY seq LIMIT 100000`,
  );
}

/** Waits until `check` holds (polling), or fails after `ms`. */
export async function eventually<T>(check: () => T | Promise<T>, ms = 5000): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
