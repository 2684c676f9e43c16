import type { CheckpointRow, EventRow } from '../schemas/index.ts';
import { createHttpSink, type Sink } from '../ingest/index.ts';
import type { Customer } from './customer.ts';
import type { Rollups } from './rollups.ts';
import type { Startup } from './startup.ts';

/** The bindings and vars in wrangler.toml. */
export interface Env {
  STARTUP: DurableObjectNamespace<Startup>;
  /** The second example object; absent where only STARTUP is bound (`npm start`). */
  CUSTOMER?: DurableObjectNamespace<Customer>;
  LAKE: R2Bucket;
  /** Pipelines HTTP ingest base URL (the local stand-in in dev); the events stream is `<url>/events`. */
  INGEST_URL?: string;
  INGEST_TOKEN?: string;
  /** A Pipelines binding; preferred over INGEST_URL when bound (not in local dev: Miniflare discards). */
  EVENTS?: Sink<EventRow>;
  /** The rollups stream's binding; with INGEST_URL alone, refreshes go to `<INGEST_URL>/rollups`. */
  ROLLUPS_STREAM?: Sink;
  /** The refresher that keeps the example's rollups materialized. */
  ROLLUPS?: DurableObjectNamespace<InstanceType<typeof Rollups>>;
  /** Time between the refresher's alarm-driven refreshes (ms, default 60000). */
  ROLLUPS_INTERVAL_MS?: string;
  /** The checkpoints stream's binding; with INGEST_URL alone, checkpoints go to `<INGEST_URL>/checkpoints`. */
  CHECKPOINTS?: Sink<CheckpointRow>;
  /** How long after a write the alarm flushes the outbox (ms, default 1000). */
  FLUSH_DELAY_MS?: string;
  /** Rows per send (default 1000). */
  EMITTER_BATCH_ROWS?: string;
  /** The payments API the Customer example charges through. */
  PAYMENTS_URL?: string;
  /** R2 SQL: the account, the lake bucket and a token with R2 SQL read access (a secret in production). */
  R2_ACCOUNT_ID?: string;
  LAKE_BUCKET?: string;
  R2_SQL_TOKEN?: string;
  /** Unset in production (Cloudflare's endpoint); the local stand-in in dev. */
  R2_SQL_ENDPOINT?: string;
  /**
   * The query API's tokens (a secret): a JSON array of `{"sha256": "<hex of the token>", "namespaces":
   * ["https://*.acme.com"], "views"?: [...], "admin"?: true}`. Unset: every `/api` call answers 401.
   */
  QUERY_TOKENS?: string;
  /** Seconds a view result is cached in `caches.default` (default 60; 0 turns caching off). */
  QUERY_CACHE_TTL_SECONDS?: string;
  /**
   * The audit signing key (a secret: `wrangler secret put AUDIT_SIGNING_KEY`), an Ed25519 private key
   * as JWK JSON or base64 PKCS8. Checkpoints are signed with it inside the objects; unset, unsigned.
   */
  AUDIT_SIGNING_KEY?: string;
  /** The dashboard's built assets (`[assets]` in wrangler.toml, `npm run build:dashboard`). */
  ASSETS?: { fetch(request: Request): Promise<Response> };
  /** The key id checkpoints name (default: the JWK's kid, else derived from the public key). */
  AUDIT_KEY_ID?: string;
  /** A checkpoint every this many events (default 1000). */
  CHECKPOINT_EVERY?: string;
  /** Earlier public keys still accepted by `verify` after a rotation: a JSON array of JWKs with `kid`. */
  AUDIT_PUBLIC_KEYS?: string;
}

/**
 * The deployment half of an `analytics()` config from the Worker's vars: the sink (the Pipelines
 * binding, else the HTTP ingest URL), the flush delay and the batch size.
 *
 * @example
 * ```ts
 * $ = analytics(this.ctx, { nouns, verbs, binding: this.env.STARTUP, ...deployment(this.env) });
 * ```
 */
export function deployment(env: Env) {
  const url = env.INGEST_URL?.replace(/\/+$/, '');
  return {
    sink: env.EVENTS ?? (url ? { url: `${url}/events`, token: env.INGEST_TOKEN } : undefined),
    checkpoints:
      env.CHECKPOINTS ??
      (url ? createHttpSink({ url: `${url}/checkpoints`, token: env.INGEST_TOKEN }) : undefined),
    signingKey: env.AUDIT_SIGNING_KEY || undefined,
    signingKeyId: env.AUDIT_KEY_ID || undefined,
    ...(env.CHECKPOINT_EVERY ? { checkpointEvery: Number(env.CHECKPOINT_EVERY) } : {}),
    flushDelayMs: Number(env.FLUSH_DELAY_MS ?? 1000),
    batchRows: Number(env.EMITTER_BATCH_ROWS ?? 1000),
  };
}
