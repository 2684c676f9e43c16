import type { ApiClient, CatalogEntry } from './api-client.ts';
import type { PageState } from './url-state.ts';

/** The page's settings, as the handler wrote them into the page. */
export interface PageSettings {
  apiBase: string;
  auditHealthUrl: string | null;
  /** Events per page of the in-browser check's download. */
  verifyPageEvents: number;
  assetBase: string;
  assets: { script: string; style: string; duckdbWorker: string; duckdbWasm: string };
}

/** One namespace of the token's scope, with its event count. */
export interface ScopeNamespace {
  ns: string;
  events: number;
}

/** What every panel is given. */
export interface PanelContext {
  api: ApiClient;
  settings: PageSettings;
  state: PageState;
  /** Changes the state (and the address bar); `rerender` redraws the current panel. */
  update(change: Partial<PageState>, rerender?: boolean): void;
  /** The namespaces the token reads (from audit_completeness), fetched once. */
  namespaces(): Promise<ScopeNamespace[]>;
  catalog(): Promise<CatalogEntry[]>;
  /** Newest event time per namespace seen in any answer's x-newest-event-time header. */
  freshness: Map<string, string>;
  /** The lag header of each view answered, by view name (null: not materialized). */
  lags: Map<string, number | null>;
}

/** Reads what a view's answer headers say about freshness into the context. */
export function noteHeaders(context: PanelContext, view: string, headers: Headers): void {
  for (const pair of (headers.get('x-newest-event-time') ?? '').split(',')) {
    const at = pair.lastIndexOf('=');
    if (at > 0) context.freshness.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  const lag = headers.get('x-view-lag-seconds');
  context.lags.set(view, lag === null ? null : Number(lag));
}

/** A message of a failed call, for a role=alert element. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
