/** The panels, in tab order. */
export const PANELS = ['time-series', 'audit', 'freshness', 'explorer', 'verify'] as const;
export type Panel = (typeof PANELS)[number];

export const RANGES = ['hour', 'day', 'week', 'custom'] as const;
export type Range = (typeof RANGES)[number];

/** Everything a shared link restores. */
export interface PageState {
  panel: Panel;
  range: Range;
  /** ISO times of a custom range. */
  since?: string;
  until?: string;
  /** One namespace of the token's scope; absent: all of them. */
  ns?: string;
  /** The explorer's view and its params (`p.<name>` in the URL). */
  view?: string;
  params: Record<string, string>;
}

/**
 * Reads the state from a query string; unknown or malformed values fall back to the defaults.
 *
 * @example
 * ```ts
 * import { readState } from './url-state.ts';
 * readState('?panel=explorer&view=audit_gaps&p.ns=https://a.test').params.ns; // 'https://a.test'
 * ```
 */
export function readState(search: string): PageState {
  const query = new URLSearchParams(search);
  const panel = query.get('panel') as Panel;
  const range = query.get('range') as Range;
  const params: Record<string, string> = {};
  for (const [key, value] of query) if (key.startsWith('p.')) params[key.slice(2)] = value;
  const state: PageState = {
    panel: PANELS.includes(panel) ? panel : 'time-series',
    range: RANGES.includes(range) ? range : 'day',
    params,
  };
  for (const key of ['since', 'until', 'ns', 'view'] as const) {
    const value = query.get(key);
    if (value) state[key] = value;
  }
  return state;
}

/**
 * The state as a query string (what the address bar shows, so a view can be shared).
 *
 * @example
 * ```ts
 * import { writeState } from './url-state.ts';
 * writeState({ panel: 'time-series', range: 'week', params: {} }); // '?panel=time-series&range=week'
 * ```
 */
export function writeState(state: PageState): string {
  const query = new URLSearchParams({ panel: state.panel, range: state.range });
  if (state.range === 'custom') {
    if (state.since) query.set('since', state.since);
    if (state.until) query.set('until', state.until);
  }
  if (state.ns) query.set('ns', state.ns);
  if (state.panel === 'explorer' && state.view) {
    query.set('view', state.view);
    for (const [key, value] of Object.entries(state.params)) if (value !== '') query.set(`p.${key}`, value);
  }
  return `?${query}`;
}

const SPANS: Record<Exclude<Range, 'custom'>, { ms: number; bucket: 'minute' | 'hour' | 'day' }> = {
  hour: { ms: 3600_000, bucket: 'minute' },
  day: { ms: 24 * 3600_000, bucket: 'hour' },
  week: { ms: 7 * 24 * 3600_000, bucket: 'hour' },
};

/** The time window of a state: [since, until) and the bucket width that suits it. */
export interface Window {
  since: string;
  until: string;
  bucket: 'minute' | 'hour' | 'day';
}

/**
 * The window a state asks for, ending at the next whole minute for the relative ranges; a custom
 * range picks its bucket by length (≤ 2 h minutes, ≤ 8 days hours, else days).
 *
 * @example
 * ```ts
 * import { windowOf } from './url-state.ts';
 * windowOf({ panel: 'time-series', range: 'hour', params: {} }, Date.parse('2026-11-25T09:30:10Z')).since; // '2026-11-25T08:31:00.000Z'
 * ```
 */
export function windowOf(state: PageState, now: number): Window {
  if (state.range !== 'custom' || !state.since || !state.until) {
    const span = SPANS[state.range === 'custom' ? 'day' : state.range];
    const end = Math.ceil((now + 1) / 60_000) * 60_000;
    return {
      since: new Date(end - span.ms).toISOString(),
      until: new Date(end).toISOString(),
      bucket: span.bucket,
    };
  }
  const length = Date.parse(state.until) - Date.parse(state.since);
  const bucket = length <= 2 * 3600_000 ? 'minute' : length <= 8 * 24 * 3600_000 ? 'hour' : 'day';
  return { since: state.since, until: state.until, bucket };
}
