/**
 * The Worker the DO-ingest benchmark runs in workerd: one Durable Object that records and flushes with
 * this project's ingest, next to the baselines measured in the same run.
 *
 * @module
 */
import { DurableObject } from 'cloudflare:workers';
import { bindNamespace, createEmitter, record, rewindOutbox, type Sink } from '../../ingest/index.ts';
import type { EventRow } from '../../schemas/index.ts';

const NS = 'https://bench.startups.studio';
const noopObjects: Sink<EventRow> = { async send() {} };
const noopJson: Sink<EventRow> = { async send() {}, async sendJson() {} };

interface Env {
  BENCH: DurableObjectNamespace<BenchObject>;
}

export class BenchObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    bindNamespace(ctx.storage, NS);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS plain_things (version INTEGER PRIMARY KEY, id TEXT, data TEXT, createdAt INTEGER);
      CREATE TABLE IF NOT EXISTS plain_actions (id INTEGER PRIMARY KEY, verb TEXT, target TEXT, output INTEGER, ts INTEGER);
      CREATE TABLE IF NOT EXISTS plain_events (id INTEGER PRIMARY KEY, action INTEGER, verb TEXT, data TEXT, ts INTEGER);
      CREATE TABLE IF NOT EXISTS naive_sent (id INTEGER PRIMARY KEY)`);
  }

  /** n record() calls, each a version + action + hashed event in one transaction. */
  record(n: number): number {
    const s = this.ctx.storage;
    let seq = 0;
    for (let i = 0; i < n; i++) {
      seq = record(s, {
        verb: 'update',
        type: 'Startup',
        target: `acme-${i % 50}`,
        data: { name: 'Acme', step: i, tags: ['ai', 'saas'] },
        actor: 'agents/priya',
      }).seq;
    }
    return seq;
  }

  /** Baseline: three plain inserts in one transaction, no hashing, no row building. */
  plain(n: number): number {
    const s = this.ctx.storage;
    for (let i = 0; i < n; i++) {
      s.transactionSync(() => {
        const data = JSON.stringify({ name: 'Acme', step: i, tags: ['ai', 'saas'] });
        const ts = Date.now() * 1000;
        const version = s.sql
          .exec<{ v: number }>(
            'INSERT INTO plain_things (id, data, createdAt) VALUES (?, ?, ?) RETURNING version AS v',
            `acme-${i % 50}`,
            data,
            ts,
          )
          .one().v;
        const action = s.sql
          .exec<{ id: number }>(
            'INSERT INTO plain_actions (verb, target, output, ts) VALUES (?, ?, ?, ?) RETURNING id',
            'update',
            `acme-${i % 50}`,
            version,
            ts,
          )
          .one().id;
        s.sql.exec(
          'INSERT INTO plain_events (action, verb, data, ts) VALUES (?, ?, ?, ?)',
          action,
          'updated',
          data,
          ts,
        );
      });
    }
    return n;
  }

  ping(): number {
    return 0;
  }

  reset(): number {
    rewindOutbox(this.ctx.storage);
    this.ctx.storage.sql.exec('DELETE FROM naive_sent');
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM events').one().n;
  }

  /** This project's emitter; `json` ships stored rows as they are (HTTP ingest), `objects` parses them (a binding). */
  async flush(mode: 'json' | 'objects'): Promise<number> {
    const sink = mode === 'json' ? noopJson : noopObjects;
    return (await createEmitter(this.ctx.storage, { ns: NS, sink }).flush()).sent;
  }

  /** Baseline: a naive emitter — one query per event to build its row, one write per event to mark it sent. */
  async naiveFlush(): Promise<number> {
    const sql = this.ctx.storage.sql;
    const ids = sql
      .exec<{ id: number }>(
        'SELECT id FROM events WHERE id > (SELECT coalesce(max(id), 0) FROM naive_sent) ORDER BY id',
      )
      .toArray();
    let batch: Record<string, unknown>[] = [];
    let batchIds: number[] = [];
    let sent = 0;
    const ship = async () => {
      await noopObjects.send(batch as EventRow[]);
      for (const id of batchIds) sql.exec('INSERT INTO naive_sent (id) VALUES (?)', id);
      sent += batch.length;
      batch = [];
      batchIds = [];
    };
    for (const { id } of ids) {
      const e = sql
        .exec<Record<string, string | number | null>>(
          `SELECT e.id AS seq, a.ts, t.data, v.verb AS action, v.event AS past, n.noun, a.actor, a.target, a.durability,
                  a.status, a.input, a.output, t.branch
           FROM events e JOIN actions a ON a.id = e.action JOIN verbs v ON v.id = a.verb
           JOIN things t ON t.version = a.output JOIN nouns n ON n.id = t.type WHERE e.id = ?`,
          id,
        )
        .one();
      const target = `${NS}/${e.target}`;
      batch.push({
        id: `${NS}/events/x/${e.seq}`,
        ns: NS,
        seq: e.seq,
        ts: e.ts,
        event: `${e.noun}.${e.past}`,
        verb: e.past,
        action: e.action,
        type: `${NS}/${e.noun}`,
        target,
        actor: e.actor,
        durability: e.durability,
        status: e.status,
        output_version: `${target}@v${e.output}`,
        data: e.data === null ? null : JSON.parse(String(e.data)),
      });
      batchIds.push(id);
      if (batch.length === 1000) await ship();
    }
    if (batch.length > 0) await ship();
    return sent;
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const stub = env.BENCH.getByName(url.searchParams.get('object') ?? 'bench');
    const n = Number(url.searchParams.get('n') ?? 0);
    switch (url.pathname) {
      case '/noop':
        return Response.json(await stub.ping());
      case '/record':
        return Response.json(await stub.record(n));
      case '/plain':
        return Response.json(await stub.plain(n));
      case '/reset':
        return Response.json(await stub.reset());
      case '/flush':
        return Response.json(
          await stub.flush(url.searchParams.get('mode') === 'objects' ? 'objects' : 'json'),
        );
      case '/naive':
        return Response.json(await stub.naiveFlush());
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
