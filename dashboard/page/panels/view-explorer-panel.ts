import { ApiError, type CatalogEntry } from '../api-client.ts';
import { h, table } from '../dom.ts';
import { messageOf, noteHeaders, type PanelContext } from '../panel-context.ts';
import { paramsForm, showIssues } from './params-form.ts';

const SHOWN_ROWS = 200;

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function run(
  context: PanelContext,
  entry: CatalogEntry,
  values: Record<string, string>,
  form: HTMLFormElement,
  out: HTMLElement,
) {
  context.update({ view: entry.name, params: values });
  out.replaceChildren(h('p', { class: 'muted', 'aria-live': 'polite' }, 'Running…'));
  try {
    const answer = await context.api.view(entry.name, values, context.state.ns);
    noteHeaders(context, entry.name, answer.headers);
    showIssues(form, []);
    const download = (format: 'csv' | 'arrow') => async () => {
      try {
        saveBlob(
          await context.api.download(entry.name, values, format, context.state.ns),
          `${entry.name}.${format}`,
        );
      } catch (error) {
        out.prepend(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
      }
    };
    const metrics = [
      `${answer.rows.length.toLocaleString('en-US')} rows`,
      answer.headers.get('x-files-scanned') ? `${answer.headers.get('x-files-scanned')} files scanned` : '',
      answer.headers.get('x-bytes-scanned')
        ? `${Number(answer.headers.get('x-bytes-scanned')).toLocaleString('en-US')} bytes scanned`
        : '',
    ].filter(Boolean);
    out.replaceChildren(
      h(
        'div',
        { class: 'result-head' },
        h('p', { class: 'result-count', 'aria-live': 'polite' }, metrics.join(' · ')),
        h('button', { type: 'button', onclick: download('csv') }, 'Download CSV'),
        h('button', { type: 'button', onclick: download('arrow') }, 'Download Arrow'),
      ),
      answer.rows.length
        ? table(
            answer.columns.map((c) => c.name),
            answer.rows.slice(0, SHOWN_ROWS),
            answer.rows.length > SHOWN_ROWS
              ? `First ${SHOWN_ROWS} of ${answer.rows.length} rows (downloads hold all)`
              : `${entry.name}`,
          )
        : h('p', { class: 'empty' }, 'No rows.'),
      answer.sql
        ? h(
            'details',
            { class: 'sql', open: true },
            h('summary', {}, 'SQL that ran (R2 SQL dialect)'),
            h('pre', {}, h('code', {}, answer.sql)),
          )
        : '',
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      const issues = error.issues.length
        ? error.issues
        : error.field
          ? [{ field: error.field, message: error.message }]
          : [];
      showIssues(form, issues);
      out.replaceChildren(h('p', { class: 'error refused', role: 'alert' }, error.message));
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    out.replaceChildren(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
  }
}

function viewPane(context: PanelContext, entry: CatalogEntry): HTMLElement {
  const out = h('div', { class: 'result', id: 'explorer-result' });
  const prefill = context.state.view === entry.name ? context.state.params : {};
  const form = paramsForm(entry.params, prefill, (values) => void run(context, entry, values, form, out));
  const pane = h(
    'div',
    { class: 'view-pane' },
    h('h3', {}, entry.name, h('span', { class: 'muted small' }, ` v${entry.version}`)),
    h('p', {}, entry.description),
    form,
    out,
  );
  if (context.state.view === entry.name && Object.keys(prefill).length > 0)
    void run(context, entry, prefill, form, out);
  return pane;
}

/**
 * The view explorer: the catalog the token may run, a params form generated from the chosen view's
 * JSON Schema (the view's own messages shown beside each refused param), the result as a table, the
 * SQL that ran, and CSV / Arrow downloads.
 *
 * @example
 * ```ts
 * import { viewExplorerPanel } from './view-explorer-panel.ts';
 * main.replaceChildren(await viewExplorerPanel(context));
 * ```
 */
export async function viewExplorerPanel(context: PanelContext): Promise<HTMLElement> {
  const section = h(
    'section',
    { 'aria-labelledby': 'explorer-title', class: 'explorer' },
    h('h2', { id: 'explorer-title' }, 'View explorer'),
  );
  let catalog: CatalogEntry[];
  try {
    catalog = (await context.catalog()).filter((e) => e.current);
  } catch (error) {
    section.append(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
    return section;
  }
  const detail = h('div', { class: 'detail' });
  const choose = (entry: CatalogEntry, button: HTMLElement) => {
    for (const b of list.querySelectorAll('button')) b.removeAttribute('aria-current');
    button.setAttribute('aria-current', 'true');
    if (context.state.view !== entry.name) context.update({ view: entry.name, params: {} });
    detail.replaceChildren(viewPane(context, entry));
  };
  const list = h(
    'ul',
    { class: 'catalog', 'aria-label': 'Views' },
    catalog.map((entry) => {
      const button = h(
        'button',
        { type: 'button', 'data-view': entry.name, onclick: () => choose(entry, button) },
        h('strong', {}, entry.name),
        h('span', { class: 'muted small' }, entry.description),
      );
      return h('li', {}, button);
    }),
  );
  section.append(h('div', { class: 'split' }, h('nav', { 'aria-label': 'View catalog' }, list), detail));
  const initial = catalog.find((e) => e.name === context.state.view);
  if (initial) choose(initial, list.querySelector<HTMLElement>(`[data-view="${initial.name}"]`)!);
  else
    detail.append(
      h('p', { class: 'muted' }, `${catalog.length} views. Pick one to see its params and run it.`),
    );
  return section;
}
