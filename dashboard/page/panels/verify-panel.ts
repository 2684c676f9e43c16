import { h } from '../dom.ts';
import { messageOf, type PanelContext } from '../panel-context.ts';

/**
 * The "check it yourself" panel: downloads one namespace's events as Arrow IPC (`audit_events`) and
 * verifies them in this browser — DuckDB-Wasm for gaps, conflicts and chain links, WebCrypto for every
 * hash — so an auditor need not trust the server. DuckDB-Wasm loads only when the check runs.
 *
 * @example
 * ```ts
 * import { verifyPanel } from './verify-panel.ts';
 * main.replaceChildren(await verifyPanel(context));
 * ```
 */
export async function verifyPanel(context: PanelContext): Promise<HTMLElement> {
  const namespaces = await context.namespaces().catch(() => []);
  const select = h(
    'select',
    { id: 'verify-ns', name: 'ns' },
    namespaces.map(({ ns, events }) =>
      h(
        'option',
        { value: ns, selected: ns === context.state.ns },
        `${ns} (${events.toLocaleString('en-US')} events)`,
      ),
    ),
  );
  const out = h('div', { class: 'verify-result', id: 'verify-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit' }, 'Download and verify');
  const run = async () => {
    const ns = select.value;
    if (!ns) return;
    const limit = context.settings.verifyPageEvents;
    button.disabled = true;
    out.dataset.state = 'running';
    out.replaceChildren(h('p', { class: 'muted' }, `Downloading the events of ${ns} as Arrow…`));
    try {
      const [{ downloadAuditPages }, { checkInBrowser }] = await Promise.all([
        import('../verify/audit-pages.ts'),
        import('../verify/check-in-browser.ts'),
      ]);
      const pages = await downloadAuditPages(
        async (after) => {
          const params = { ns, limit, after_incarnation: after.incarnation, after_seq: after.seq };
          const blob = await context.api.download('audit_events', params, 'arrow');
          return new Uint8Array(await blob.arrayBuffer());
        },
        {
          pageEvents: limit,
          onPage: ({ pages, bytes, events }) =>
            out.replaceChildren(
              h(
                'p',
                { class: 'muted' },
                `Downloading the events of ${ns} as Arrow… ${events.toLocaleString('en-US')} events, ${(bytes / 1024).toFixed(0)} KiB in ${pages} page${pages === 1 ? '' : 's'}`,
              ),
            ),
        },
      );
      const bytes = pages.reduce((n, page) => n + page.byteLength, 0);
      out.replaceChildren(
        h(
          'p',
          { class: 'muted' },
          `Verifying ${(bytes / 1024).toFixed(0)} KiB in DuckDB-Wasm and WebCrypto…`,
        ),
      );
      const { assetBase, assets } = context.settings;
      const report = await checkInBrowser(pages, {
        worker: new URL(assetBase + assets.duckdbWorker, location.href).href,
        wasm: new URL(assetBase + assets.duckdbWasm, location.href).href,
      });
      out.dataset.state = report.ok ? 'ok' : 'bad';
      const summary = `${report.events.toLocaleString('en-US')} events, ${report.hashed.toLocaleString('en-US')} hashes recomputed, ${report.redelivered} identical re-deliveries, in ${(report.ms / 1000).toFixed(1)} s`;
      out.replaceChildren(
        report.ok
          ? h(
              'p',
              { class: 'verdict ok' },
              '✓ Chain intact: no gap, no broken link, every hash matches. ',
              h('span', { class: 'muted' }, summary),
            )
          : h(
              'p',
              { class: 'verdict bad', role: 'alert' },
              `✗ ${report.findings.length || 'No events:'} problem${report.findings.length === 1 ? '' : 's'} found. `,
              h('span', { class: 'muted' }, summary),
            ),
        report.findings.length
          ? h(
              'ul',
              { class: 'findings' },
              report.findings
                .slice(0, 100)
                .map((f) =>
                  h(
                    'li',
                    { 'data-kind': f.kind, 'data-seq': f.seq },
                    h('strong', {}, f.kind),
                    ` (incarnation ${f.incarnation}): ${f.message}`,
                  ),
                ),
            )
          : '',
      );
    } catch (error) {
      out.dataset.state = 'error';
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, messageOf(error)));
    } finally {
      button.disabled = false;
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'verify-title' },
    h('h2', { id: 'verify-title' }, 'Check it yourself'),
    h(
      'p',
      {},
      'Downloads a namespace’s events as Arrow and verifies them here, in your browser: gaps in seq, conflicting rows and ',
      h('code', {}, 'prev_hash'),
      ' links with DuckDB-Wasm, and every SHA-256 recomputed with WebCrypto over the canonical row. Nothing but the rows comes from the server.',
    ),
    namespaces.length
      ? h(
          'form',
          {
            class: 'toolbar',
            onsubmit: (e: Event) => {
              e.preventDefault();
              void run();
            },
          },
          h('label', { for: 'verify-ns' }, 'Namespace '),
          select,
          button,
        )
      : h('p', { class: 'empty' }, 'No events in the lake for this token yet.'),
    out,
  );
}
