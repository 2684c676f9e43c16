import { h, table } from '../dom.ts';
import { messageOf, noteHeaders, type PanelContext } from '../panel-context.ts';

const ago = (seconds: number): string =>
  seconds < 90
    ? `${Math.round(seconds)} s`
    : seconds < 5400
      ? `${Math.round(seconds / 60)} min`
      : seconds < 172_800
        ? `${(seconds / 3600).toFixed(1)} h`
        : `${(seconds / 86_400).toFixed(1)} days`;

/**
 * The freshness panel: per namespace the newest event landed in the lake and how long ago (the API's
 * `x-newest-event-time`), per view answered its lag (`x-view-lag-seconds`, materialized views only),
 * and what the API cannot tell (events still pending in a Durable Object's outbox).
 *
 * @example
 * ```ts
 * import { freshnessPanel } from './freshness-panel.ts';
 * main.replaceChildren(await freshnessPanel(context));
 * ```
 */
export async function freshnessPanel(context: PanelContext): Promise<HTMLElement> {
  const section = h(
    'section',
    { 'aria-labelledby': 'fresh-title' },
    h('h2', { id: 'fresh-title' }, 'Freshness'),
  );
  try {
    // A small view answer carries the newest event time of every namespace in scope.
    const answer = await context.api.view('audit_completeness', { limit: 1 });
    noteHeaders(context, 'audit_completeness', answer.headers);
  } catch (error) {
    section.append(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
  }
  const now = Date.now();
  const namespaces = await context.namespaces().catch(() => []);
  const rows = namespaces.map(({ ns, events }) => {
    const newest = context.freshness.get(ns);
    const lag = newest ? (now - Date.parse(newest)) / 1000 : null;
    return {
      namespace: ns,
      events,
      'newest event (UTC)': newest ? newest.replace('T', ' ').slice(0, 23) : 'unknown',
      'age of the newest event': lag === null ? 'unknown' : ago(Math.max(0, lag)),
      'pending in the Durable Object': 'not reported by the query API',
    };
  });
  section.append(
    h(
      'p',
      { class: 'muted' },
      'How current the lake is: the newest event of each namespace the query API can read (x-newest-event-time), and the lag of each materialized view answered (x-view-lag-seconds). Events still waiting in a Durable Object’s outbox are not visible to the query API.',
    ),
    rows.length
      ? table(Object.keys(rows[0]!), rows, 'Per namespace')
      : h('p', { class: 'empty' }, 'No events in the lake for this token yet.'),
  );
  const views = [...context.lags].map(([view, lag]) => ({
    view,
    lag: lag === null ? 'live: reads the lake directly' : ago(lag),
  }));
  if (views.length) section.append(table(['view', 'lag'], views, 'Per view answered in this session'));
  return section;
}
