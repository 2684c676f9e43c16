import { barChart, type ChartElement, type PlottedData, stackedTimeChart } from '../charts.ts';
import { h } from '../dom.ts';
import { messageOf, noteHeaders, type PanelContext } from '../panel-context.ts';
import { RANGES, type Range, windowOf } from '../url-state.ts';

const RANGE_LABELS: Record<Range, string> = {
  hour: 'Last hour',
  day: 'Last day',
  week: 'Last week',
  custom: 'Custom',
};

const toSeconds = (iso: unknown): number => Date.parse(String(iso)) / 1000;

/** events_per_bucket rows (bucket, series, events) as one series per verb over the bucket starts. */
export function pivotBuckets(rows: Record<string, unknown>[]): PlottedData {
  const x = [...new Set(rows.map((r) => toSeconds(r.bucket)))].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const series: Record<string, (number | null)[]> = {};
  for (const row of rows) {
    const name = String(row.series);
    series[name] ??= x.map(() => 0);
    series[name]![index.get(toSeconds(row.bucket))!] = Number(row.events);
  }
  return { x, series };
}

function rangePicker(context: PanelContext): HTMLElement {
  const { state } = context;
  const custom = h(
    'form',
    {
      class: 'custom-range',
      hidden: state.range !== 'custom',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const form = new FormData(event.target as HTMLFormElement);
        context.update(
          { range: 'custom', since: String(form.get('since')), until: String(form.get('until')) },
          true,
        );
      },
    },
    h(
      'label',
      {},
      'From ',
      h('input', {
        name: 'since',
        value: state.since ?? '',
        placeholder: '2026-11-25T00:00:00Z',
        required: true,
      }),
    ),
    h(
      'label',
      {},
      'to ',
      h('input', {
        name: 'until',
        value: state.until ?? '',
        placeholder: '2026-11-26T00:00:00Z',
        required: true,
      }),
    ),
    h('button', { type: 'submit' }, 'Apply'),
  );
  const group = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', {}, 'Time range (UTC)'),
    RANGES.map((range) =>
      h(
        'label',
        {},
        h('input', {
          type: 'radio',
          name: 'range',
          value: range,
          checked: state.range === range,
          onchange: () => {
            if (range === 'custom') {
              custom.hidden = false;
              (custom.querySelector('input') as HTMLInputElement).focus();
              return;
            }
            context.update({ range }, true);
          },
        }),
        RANGE_LABELS[range],
      ),
    ),
  );
  return h('div', { class: 'toolbar' }, group, custom);
}

/** The namespace select: drawn at once (the charts do not wait for it), its options filled when known. */
function namespaceFilter(context: PanelContext): HTMLElement {
  const chosen = context.state.ns;
  const select = h(
    'select',
    {
      id: 'ns-filter',
      onchange: (e: Event) =>
        context.update({ ns: (e.target as HTMLSelectElement).value || undefined }, true),
    },
    h('option', { value: '' }, 'All namespaces of this token'),
    chosen ? h('option', { value: chosen, selected: true }, chosen) : null,
  );
  context.namespaces().then(
    (namespaces) => {
      for (const { ns, events } of namespaces) {
        const label = `${ns} (${events.toLocaleString('en-US')} events)`;
        const existing = [...select.options].find((o) => o.value === ns);
        if (existing) existing.textContent = label;
        else select.append(h('option', { value: ns }, label));
      }
      select.dataset.loaded = 'true';
    },
    () => {
      select.dataset.loaded = 'error';
    },
  );
  return h('div', { class: 'toolbar' }, h('label', { for: 'ns-filter' }, 'Namespace '), select);
}

interface ChartSpec {
  view: string;
  title: string;
  help: string;
  params: (w: ReturnType<typeof windowOf>) => Record<string, unknown>;
  draw: (element: ChartElement, rows: Record<string, unknown>[]) => void;
  summary?: (rows: Record<string, unknown>[]) => string;
  /** What an empty answer means. */
  empty: string;
}

const CHARTS: ChartSpec[] = [
  {
    view: 'events_per_bucket',
    title: 'Events by verb',
    help: 'Events per bucket, stacked by verb (deduplicated on id).',
    empty: 'no event landed in it.',
    params: (w) => ({ bucket: w.bucket, by: 'verb', since: w.since, until: w.until }),
    draw: (element, rows) => stackedTimeChart(element, pivotBuckets(rows), 'events'),
  },
  {
    view: 'active_actors',
    title: 'Active actors',
    help: 'Distinct actors with at least one event, per day (UTC).',
    empty: 'no event with an actor.',
    params: (w) => ({ bucket: 'day', since: w.since, until: w.until }),
    draw: (element, rows) =>
      barChart(
        element,
        {
          x: rows.map((r) => String(r.bucket).slice(0, 10)),
          series: { actors: rows.map((r) => Number(r.actors)) },
        },
        (v) => String(Math.round(v)),
        'day',
      ),
  },
  {
    view: 'failure_rate',
    title: 'Failure rate by verb',
    help: 'Failed actions over all outcomes (completed, failed, undone).',
    empty: 'no action ended in it.',
    params: (w) => ({ since: w.since, until: w.until }),
    summary: (rows) => {
      const failed = rows.reduce((n, r) => n + Number(r.failed), 0);
      const outcomes = rows.reduce((n, r) => n + Number(r.outcomes), 0);
      return `${failed} failed of ${outcomes.toLocaleString('en-US')} outcomes`;
    },
    draw: (element, rows) =>
      barChart(
        element,
        {
          x: rows.map((r) => String(r.verb)),
          series: { 'failure rate': rows.map((r) => Number(r.failure_rate)) },
        },
        (v) => `${Number((v * 100).toFixed(1))} %`,
      ),
  },
  {
    view: 'action_durations',
    title: 'Action durations by verb',
    help: 'Median (p50) and 95th percentile (p95) of action durations.',
    empty: 'no action with a recorded duration.',
    params: (w) => ({ since: w.since, until: w.until }),
    draw: (element, rows) =>
      barChart(
        element,
        {
          x: rows.map((r) => String(r.verb)),
          series: { p50: rows.map((r) => Number(r.p50_ms)), p95: rows.map((r) => Number(r.p95_ms)) },
        },
        (v) => `${v >= 100 ? Math.round(v) : v.toFixed(1)} ms`,
      ),
  },
];

async function chartCard(context: PanelContext, spec: ChartSpec, card: HTMLElement): Promise<void> {
  const status = card.querySelector<HTMLElement>('.status')!;
  const chart = card.querySelector<ChartElement>('.chart')!;
  const params = spec.params(windowOf(context.state, Date.now()));
  try {
    const answer = await context.api.view(spec.view, params, context.state.ns);
    noteHeaders(context, spec.view, answer.headers);
    chart.dataset.params = JSON.stringify(params);
    if (answer.rows.length === 0) {
      chart.replaceChildren(h('p', { class: 'empty' }, `No rows for this range: ${spec.empty}`));
      chart.dataset.drawn = 'empty';
      chart.dataset.plotted = JSON.stringify({ x: [], series: {} });
    } else spec.draw(chart, answer.rows);
    const scanned = answer.headers.get('x-files-scanned');
    const note = spec.summary && answer.rows.length ? ` · ${spec.summary(answer.rows)}` : '';
    status.textContent = `${answer.rows.length.toLocaleString('en-US')} rows${note}${scanned ? ` · ${scanned} files scanned` : ''}`;
  } catch (error) {
    chart.replaceChildren(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
    chart.dataset.drawn = 'error';
  }
}

/**
 * The time-series panel: the range picker and namespace filter, and four charts (events by verb
 * stacked, active actors, failure rate and durations by verb), each from its view.
 *
 * @example
 * ```ts
 * import { timeSeriesPanel } from './time-series-panel.ts';
 * main.replaceChildren(await timeSeriesPanel(context));
 * ```
 */
export async function timeSeriesPanel(context: PanelContext): Promise<HTMLElement> {
  const w = windowOf(context.state, Date.now());
  const panel = h(
    'section',
    { 'aria-labelledby': 'ts-title' },
    h('h2', { id: 'ts-title' }, 'Time series'),
    h('div', { class: 'toolbars' }, rangePicker(context), namespaceFilter(context)),
    h(
      'p',
      { class: 'muted' },
      `${w.since.slice(0, 16).replace('T', ' ')} – ${w.until.slice(0, 16).replace('T', ' ')} UTC, ${w.bucket} buckets`,
    ),
    h(
      'div',
      { class: 'grid' },
      CHARTS.map((spec) =>
        h(
          'article',
          { class: 'card', 'data-card': spec.view },
          h('h3', {}, spec.title),
          h('p', { class: 'muted small' }, spec.help, ' ', h('code', {}, spec.view)),
          h('div', { class: 'chart', 'data-chart': spec.view, role: 'img', 'aria-label': spec.title }),
          h('p', { class: 'status muted small', 'aria-live': 'polite' }, 'Loading…'),
        ),
      ),
    ),
  );
  for (const spec of CHARTS)
    void chartCard(context, spec, panel.querySelector<HTMLElement>(`[data-card="${spec.view}"]`)!);
  return panel;
}
