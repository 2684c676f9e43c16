import { DurableObject } from 'cloudflare:workers';
import {
  bindNamespace,
  createEmitter,
  createHttpSink,
  type Emitter,
  type FlushResult,
  migrate,
  type RecordInput,
  type Recorded,
  record,
} from '../ingest/index.ts';
import { demoWorkload } from './demo-workload.ts';
import type { Env } from './env.ts';

/**
 * The example Durable Object: one namespace, its things and actions in SQLite, and an emitter that
 * streams its events to Pipelines (or the local stand-in). Thin by design: all logic lives in ingest/.
 *
 * @example
 * ```ts
 * const stub = env.STARTUP.getByName('https://acme.startups.studio');
 * await stub.record('https://acme.startups.studio', { verb: 'create', type: 'Startup', target: 'acme' });
 * await stub.flush('https://acme.startups.studio');
 * ```
 */
export class Startup extends DurableObject<Env> {
  private emitter?: Emitter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage);
  }

  private emitterFor(ns: string): Emitter {
    if (!this.emitter) {
      const sink =
        this.env.EVENTS ?? createHttpSink({ url: requireIngestUrl(this.env), token: this.env.INGEST_TOKEN });
      this.emitter = createEmitter(this.ctx.storage, { ns, sink });
    }
    return this.emitter;
  }

  record(ns: string, input: RecordInput): Recorded {
    bindNamespace(this.ctx.storage, ns);
    return record(this.ctx.storage, input);
  }

  /** Records the demo workload: `count` actions spread over the past hours. */
  seed(ns: string, count: number): { recorded: number; lastSeq: number } {
    bindNamespace(this.ctx.storage, ns);
    let lastSeq = 0;
    for (const input of demoWorkload(count)) lastSeq = record(this.ctx.storage, input).seq;
    return { recorded: count, lastSeq };
  }

  async flush(ns: string): Promise<FlushResult> {
    return await this.emitterFor(ns).flush();
  }

  pending(ns: string): number {
    return this.emitterFor(ns).pending();
  }
}

function requireIngestUrl(env: Env): string {
  if (!env.INGEST_URL) {
    throw new Error(
      'no sink: bind a Pipelines stream as EVENTS, or set INGEST_URL (the local stand-in in dev)',
    );
  }
  return `${env.INGEST_URL.replace(/\/+$/, '')}/events`;
}
