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
}
