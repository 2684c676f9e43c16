/** Construction options of {@link createHttpSink}. */
export interface HttpSinkConfig {
  /** Pipelines HTTP ingest (`https://{stream-id}.ingest.cloudflare.com`) or the local stand-in. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** Gives up on a send after this long; the rows stay unstreamed and go again next flush. */
  timeoutMs?: number;
  /** Defaults to the global `fetch`; a Worker can pass a service binding's fetch. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}
