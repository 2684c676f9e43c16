import type { QueryEngine } from '../../query/index.ts';
import { eventsPerHour } from '../../views/index.ts';
import { formatTable } from './format-table.ts';

/** Per-call options of {@link runDemo}. */
export interface RunDemoOptions {
  workerUrl: string;
  stackUrl: string;
  /** Takes R2 SQL's dialect (see withR2SqlDialect), as the view is written in it. */
  engine: QueryEngine;
  dos: number;
  actionsPerDo: number;
  log?: (line: string) => void;
}

async function post(url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Pivots the hourly view (hour, verb, events) into one row per hour with a column per verb. */
export function pivotHourly(rows: { hour: string; verb: string; events: number }[]): {
  header: string[];
  rows: (string | number)[][];
} {
  const verbs = [...new Set(rows.map((r) => r.verb))].sort();
  const byHour = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const hour = row.hour.slice(0, 16).replace('T', ' ');
    if (!byHour.has(hour)) byHour.set(hour, new Map());
    byHour.get(hour)!.set(row.verb, row.events);
  }
  const body = [...byHour].map(([hour, counts]) => {
    const cells = verbs.map((verb) => counts.get(verb) ?? 0);
    return [hour, ...cells, cells.reduce((a, b) => a + b, 0)];
  });
  return { header: ['hour (UTC)', ...verbs, 'total'], rows: body };
}

/** Actions per seed request: a long run records in rounds, printing its progress after each. */
const SEED_CHUNK = 1000;
const fmt = (n: number): string => n.toLocaleString('en-US');

async function record(options: RunDemoOptions, hosts: string[], log: (line: string) => void): Promise<void> {
  const total = hosts.length * options.actionsPerDo;
  let done = 0;
  for (let offset = 0; offset < options.actionsPerDo; offset += SEED_CHUNK) {
    const count = Math.min(SEED_CHUNK, options.actionsPerDo - offset);
    await Promise.all(hosts.map((host) => post(`${options.workerUrl}/ns/${host}/seed`, { count })));
    done += count * hosts.length;
    if (options.actionsPerDo > SEED_CHUNK)
      log(`recording: ${fmt(done)} of ${fmt(total)} actions (${Math.round((done / total) * 100)} %)`);
  }
}

async function pendingOf(workerUrl: string, hosts: string[]): Promise<number> {
  const counts = await Promise.all(
    hosts.map(
      async (host) =>
        ((await (await fetch(`${workerUrl}/ns/${host}/pending`)).json()) as { pending: number }).pending,
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Flushes every object, printing how many events are sent about once a second; resolves to the count. */
async function flushAll(workerUrl: string, hosts: string[], log: (line: string) => void): Promise<number> {
  const waiting = await pendingOf(workerUrl, hosts);
  let finished = 0;
  const report = async (): Promise<void> => {
    const left = await pendingOf(workerUrl, hosts).catch(() => waiting);
    log(
      `flushing: ${fmt(waiting - left)} of ${fmt(waiting)} events sent (${finished} of ${hosts.length} objects done)`,
    );
  };
  const ticker = setInterval(() => void report(), 1000);
  let flushed: { sent: number }[];
  try {
    flushed = await Promise.all(
      hosts.map(async (host) => {
        const result = (await post(`${workerUrl}/ns/${host}/flush`)) as { sent: number };
        finished += 1;
        return result;
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  await report();
  const left = await pendingOf(workerUrl, hosts);
  if (left > 0) throw new Error(`${left} events still wait in the outboxes after a flush`);
  return flushed.reduce((n, f) => n + f.sent, 0);
}

/**
 * Drives the demo workload through the Worker (each DO records its actions and flushes them to the
 * Pipelines stand-in), rolls the stand-in into Parquet, and returns the hourly view as a text table.
 *
 * @example
 * ```ts
 * import { runDemo } from './run-demo.ts';
 * console.log(await runDemo({ workerUrl, stackUrl, engine, dos: 20, actionsPerDo: 500 }));
 * ```
 */
export async function runDemo(options: RunDemoOptions): Promise<{ table: string; events: number }> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const hosts = Array.from(
    { length: options.dos },
    (_, i) => `startup-${String(i + 1).padStart(2, '0')}.demo.startups.studio`,
  );
  await record(options, hosts, log);
  log(
    `recorded ${options.dos} × ${options.actionsPerDo} actions in ${Math.round(performance.now() - started)} ms`,
  );
  const sent = await flushAll(options.workerUrl, hosts, log);
  log(
    `outbox empty in all ${hosts.length} objects (${sent} events sent by this flush, the rest already by the flush alarm)`,
  );
  const { files } = (await post(`${options.stackUrl}/_admin/roll`)) as {
    files: { path: string; rows: number }[];
  };
  log(`rolled ${files.length} Parquet file(s): ${files.map((f) => f.path).join(', ')}`);
  const newest = (await (await fetch(`${options.workerUrl}/ns/${hosts[0]}/events?limit=3`)).json()) as {
    events?: { seq: number; event: string; target: string }[];
    error?: string;
  };
  if (!newest.events) throw new Error(`the Worker could not query the lake: ${newest.error}`);
  log(
    `the Worker reads the lake through R2 SQL: newest of ${hosts[0]}: ${newest.events.map((e) => `#${e.seq} ${e.event} ${e.target}`).join(', ')}`,
  );
  const result = await options.engine.query<{ hour: string; verb: string; events: number }>(
    eventsPerHour.render().sql,
  );
  const pivot = pivotHourly(result.rows);
  const events = result.rows.reduce((n, r) => n + r.events, 0);
  return { table: formatTable(pivot.header, pivot.rows), events };
}
