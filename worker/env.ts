import type { EventRow } from '../schemas/index.ts';
import type { Sink } from '../ingest/index.ts';
import type { Startup } from './startup.ts';

/** The bindings and vars in wrangler.toml. */
export interface Env {
  STARTUP: DurableObjectNamespace<Startup>;
  LAKE: R2Bucket;
  /** Pipelines HTTP ingest of the events stream (the local stand-in in dev). */
  INGEST_URL?: string;
  INGEST_TOKEN?: string;
  /** A Pipelines binding; preferred over INGEST_URL when bound (not in local dev: Miniflare discards). */
  EVENTS?: Sink<EventRow>;
  /** How long after a write the alarm flushes the outbox (ms, default 1000). */
  FLUSH_DELAY_MS?: string;
  /** Rows per send (default 1000). */
  EMITTER_BATCH_ROWS?: string;
  /** R2 SQL: the account, the lake bucket and a token with R2 SQL read access (a secret in production). */
  R2_ACCOUNT_ID?: string;
  LAKE_BUCKET?: string;
  R2_SQL_TOKEN?: string;
  /** Unset in production (Cloudflare's endpoint); the local stand-in in dev. */
  R2_SQL_ENDPOINT?: string;
}
