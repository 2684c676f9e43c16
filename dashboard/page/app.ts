/**
 * The dashboard page: a token gate (the token kept in sessionStorage), five panels behind tabs, and
 * the state in the address bar.
 *
 * @module
 */
import 'uplot/dist/uPlot.min.css';
import './app.css';
import { ApiError, createApiClient } from './api-client.ts';
import { h } from './dom.ts';
import type { PageSettings, PanelContext, ScopeNamespace } from './panel-context.ts';
import { auditHealthPanel } from './panels/audit-health-panel.ts';
import { freshnessPanel } from './panels/freshness-panel.ts';
import { timeSeriesPanel } from './panels/time-series-panel.ts';
import { verifyPanel } from './panels/verify-panel.ts';
import { viewExplorerPanel } from './panels/view-explorer-panel.ts';
import { type Panel, PANELS, type PageState, readState, writeState } from './url-state.ts';

const TOKEN_KEY = 'dotdo-analytics-token';
const LABELS: Record<Panel, string> = {
  'time-series': 'Time series',
  audit: 'Audit health',
  freshness: 'Freshness',
  explorer: 'View explorer',
  verify: 'Check it yourself',
};
const RENDER: Record<Panel, (context: PanelContext) => Promise<HTMLElement>> = {
  'time-series': timeSeriesPanel,
  audit: auditHealthPanel,
  freshness: freshnessPanel,
  explorer: viewExplorerPanel,
  verify: verifyPanel,
};

const settings = JSON.parse(document.getElementById('dashboard-settings')!.textContent!) as PageSettings;
const main = document.getElementById('main')!;
const session = document.getElementById('session')!;

function tokenGate(message?: string): void {
  session.replaceChildren();
  const input = h('input', {
    id: 'token',
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'token-help',
  });
  const form = h(
    'form',
    {
      class: 'card token',
      onsubmit: (event: Event) => {
        event.preventDefault();
        sessionStorage.setItem(TOKEN_KEY, input.value.trim());
        void start();
      },
    },
    h('h2', {}, 'Sign in'),
    h('label', { for: 'token' }, 'Query API token'),
    input,
    h(
      'small',
      { id: 'token-help', class: 'muted' },
      'Kept in this tab only (session storage); sent only to this server’s query API.',
    ),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('button', { type: 'submit' }, 'Open the dashboard'),
  );
  main.replaceChildren(form);
  input.focus();
}

function tabs(state: PageState, go: (panel: Panel) => void): HTMLElement {
  const list = h(
    'nav',
    { class: 'tabs', role: 'tablist', 'aria-label': 'Panels' },
    PANELS.map((panel) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${panel}`,
          'data-panel': panel,
          'aria-selected': String(panel === state.panel),
          'aria-controls': 'panel',
          tabindex: panel === state.panel ? 0 : -1,
          onclick: () => go(panel),
        },
        LABELS[panel],
      ),
    ),
  );
  list.addEventListener('keydown', (event) => {
    const index = PANELS.indexOf(state.panel);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const next =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? PANELS.length - 1
          : (index + step + PANELS.length) % PANELS.length;
    go(PANELS[next]!);
    list.querySelector<HTMLElement>(`[data-panel="${PANELS[next]}"]`)!.focus();
  });
  return list;
}

async function start(): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return tokenGate();
  const api = createApiClient(settings.apiBase, token);
  let catalog: ReturnType<PanelContext['catalog']>;
  try {
    catalog = Promise.resolve(await api.catalog());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      return tokenGate(`That token was refused: ${error.message}`);
    }
    main.replaceChildren(
      h(
        'p',
        { class: 'error', role: 'alert' },
        `The query API cannot be reached: ${(error as Error).message}`,
      ),
    );
    return;
  }
  let namespaces: Promise<ScopeNamespace[]> | null = null;
  const state = readState(location.search);
  const holder = h('div', { id: 'panel', role: 'tabpanel' });
  const context: PanelContext = {
    api,
    settings,
    state,
    catalog: () => catalog,
    namespaces: () =>
      (namespaces ??= api.view('audit_completeness', { limit: 10_000 }).then(({ rows }) => {
        const byNs = new Map<string, number>();
        for (const row of rows)
          byNs.set(String(row.ns), (byNs.get(String(row.ns)) ?? 0) + Number(row.events));
        return [...byNs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ns, events]) => ({ ns, events }));
      })),
    freshness: new Map(),
    lags: new Map(),
    update(change, rerender) {
      Object.assign(state, change);
      for (const key of Object.keys(change) as (keyof PageState)[])
        if (change[key] === undefined) delete state[key];
      history.replaceState(null, '', writeState(state));
      if (rerender) void render();
    },
  };
  let generation = 0;
  const render = async () => {
    const mine = ++generation;
    holder.setAttribute('aria-labelledby', `tab-${state.panel}`);
    holder.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    const panel = await RENDER[state.panel](context).catch((error: unknown) =>
      h('p', { class: 'error', role: 'alert' }, (error as Error).message),
    );
    if (mine === generation) holder.replaceChildren(panel);
  };
  const go = (panel: Panel) => {
    context.update({ panel });
    for (const tab of nav.querySelectorAll<HTMLElement>('[role="tab"]')) {
      const selected = tab.dataset.panel === panel;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    void render();
  };
  const nav = tabs(state, go);
  session.replaceChildren(
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        onclick: () => {
          sessionStorage.removeItem(TOKEN_KEY);
          tokenGate();
        },
      },
      'Sign out',
    ),
  );
  main.replaceChildren(nav, holder);
  history.replaceState(null, '', writeState(state));
  await render();
}

void start();
