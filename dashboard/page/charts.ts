import uPlot from 'uplot';

/** What a chart plotted, per series, before stacking: the test and the legend read it. */
export interface PlottedData {
  x: (number | string)[];
  series: Record<string, (number | null)[]>;
}

/** A chart element carries its uPlot instance and what it plotted. */
export interface ChartElement extends HTMLElement {
  uplot?: uPlot;
  plotted?: PlottedData;
}

// Okabe–Ito: distinguishable with the common color-vision deficiencies, on light and dark grounds.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

const cssVar = (name: string): string =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
  stroke: cssVar('--muted'),
  grid: { stroke: cssVar('--grid'), width: 1 },
  ticks: { stroke: cssVar('--grid'), width: 1 },
  ...extra,
});

const utc = (seconds: number): Date => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

/** Time tick labels in UTC, 24 h: the time of day, and the date where a day starts. */
const timeAxis = (): Partial<uPlot.Axis> => ({
  values: (_u, splits) =>
    splits.map((s) => {
      const iso = new Date(s * 1000).toISOString();
      return iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16);
    }),
});

let firstDrawn = false;

function mount(element: ChartElement, options: uPlot.Options, data: uPlot.AlignedData, plotted: PlottedData) {
  element.uplot?.destroy();
  element.replaceChildren();
  element.plotted = plotted;
  element.dataset.plotted = JSON.stringify(plotted);
  const width = () => Math.max(280, element.clientWidth || 600);
  const hooks = {
    draw: [
      () => {
        element.dataset.drawn = 'true';
        if (!firstDrawn) {
          firstDrawn = true;
          performance.mark('dotdo:first-chart');
        }
      },
    ],
  };
  element.uplot = new uPlot({ ...options, width: width(), height: 240, hooks }, data, element);
  new ResizeObserver(() => element.uplot?.setSize({ width: width(), height: 240 })).observe(element);
}

/**
 * A stacked area chart over time: series drawn as running sums (the first at the bottom), the legend
 * and `plotted` keep each series' own values.
 *
 * @example
 * ```ts
 * import { stackedTimeChart } from './charts.ts';
 * stackedTimeChart(element, { x: [1764000000], series: { created: [3] } }, 'events');
 * ```
 */
export function stackedTimeChart(element: ChartElement, plotted: PlottedData, unit: string): void {
  const names = Object.keys(plotted.series);
  const xs = plotted.x.map(Number);
  const sums: number[][] = [];
  names.forEach((name, i) => {
    const own = plotted.series[name]!;
    sums.push(own.map((v, j) => (v ?? 0) + (i > 0 ? sums[i - 1]![j]! : 0)));
  });
  // Drawn top-down, so each lower band paints over the fill of the sum above it.
  const order = names.map((_, i) => names.length - 1 - i);
  const series: uPlot.Series[] = [
    {
      label: 'UTC',
      value: (_u, v) => (v === null ? '—' : utc(v).toISOString().slice(0, 16).replace('T', ' ')),
    },
    ...order.map((i) => ({
      label: names[i]!,
      stroke: PALETTE[i % PALETTE.length]!,
      fill: `${PALETTE[i % PALETTE.length]!}cc`,
      width: 1,
      points: { show: false },
      value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) =>
        idx === null ? '—' : `${plotted.series[names[i]!]![idx] ?? 0} ${unit}`,
    })),
  ];
  mount(
    element,
    {
      width: 600,
      height: 240,
      tzDate: utc,
      series,
      axes: [axis(timeAxis()), axis({ size: 56 })],
      scales: { y: { range: (_u, _min, max) => [0, headroom(max)] } },
      cursor: { points: { show: false } },
    },
    [xs, ...order.map((i) => sums[i]!)],
    plotted,
  );
}

/**
 * The top of a y axis: a round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at least a tenth above
 * the largest value, so the tallest bar or band never touches the frame; 1 for an empty chart.
 *
 * @example
 * ```ts
 * import { headroom } from './charts.ts';
 * headroom(93); // 120
 * ```
 */
export function headroom(max: number): number {
  if (!(max > 0)) return 1;
  const want = max * 1.1;
  const power = 10 ** Math.floor(Math.log10(want));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * power >= want)!;
  return step * power;
}

/**
 * A line or step chart over time, one series per name.
 *
 * @example
 * ```ts
 * import { timeChart } from './charts.ts';
 * timeChart(element, { x: [1764000000], series: { actors: [12] } });
 * ```
 */
export function timeChart(element: ChartElement, plotted: PlottedData): void {
  const names = Object.keys(plotted.series);
  mount(
    element,
    {
      width: 600,
      height: 240,
      tzDate: utc,
      series: [
        {
          label: 'UTC',
          value: (_u, v) => (v === null ? '—' : utc(v).toISOString().slice(0, 16).replace('T', ' ')),
        },
        ...names.map((name, i) => ({
          label: name,
          stroke: PALETTE[i % PALETTE.length]!,
          width: 2,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: true, size: 6 },
        })),
      ],
      axes: [axis(timeAxis()), axis({ size: 56 })],
      scales: { y: { range: (_u, _min, max) => [0, headroom(max)] } },
    },
    [plotted.x.map(Number), ...names.map((n) => plotted.series[n]!)],
    plotted,
  );
}

/**
 * Bars per category (verbs): one bar group per category, one bar per series.
 *
 * @example
 * ```ts
 * import { barChart } from './charts.ts';
 * barChart(element, { x: ['create', 'update'], series: { p50: [3, 4], p95: [9, 12] } }, (v) => `${v} ms`);
 * ```
 */
export function barChart(
  element: ChartElement,
  plotted: PlottedData,
  format: (v: number) => string,
  xLabel = 'verb',
): void {
  const names = Object.keys(plotted.series);
  const categories = plotted.x.map(String);
  const width = 0.8 / names.length;
  mount(
    element,
    {
      width: 600,
      height: 240,
      series: [
        { label: xLabel, value: (_u, v) => (v === null ? '—' : (categories[v] ?? '')) },
        ...names.map((name, i) => ({
          label: name,
          stroke: PALETTE[i % PALETTE.length]!,
          fill: PALETTE[i % PALETTE.length]!,
          width: 0,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
          paths: uPlot.paths.bars!({ size: [width, 60], align: names.length === 1 ? 0 : i === 0 ? -1 : 1 }),
          points: { show: false },
        })),
      ],
      scales: {
        x: { time: false, range: () => [-0.6, categories.length - 0.4] },
        y: { range: (_u, _min, max) => [0, headroom(max)] },
      },
      axes: [
        axis({ splits: () => categories.map((_, i) => i), values: () => categories, grid: { show: false } }),
        axis({ size: 64, values: (_u, splits) => splits.map(format) }),
      ],
      cursor: { points: { show: false } },
    },
    [categories.map((_, i) => i), ...names.map((n) => plotted.series[n]!)],
    plotted,
  );
}
