import { badge, h } from '../dom.ts';
import { messageOf, noteHeaders, type PanelContext } from '../panel-context.ts';
import { writeState } from '../url-state.ts';

type Row = Record<string, unknown>;

interface HealthReport {
  ran?: boolean;
  ok?: boolean;
  checkedAt?: string;
  signing?: boolean;
  problems?: {
    kind: string;
    severity: string;
    ns: string;
    seqFrom: number;
    seqTo: number;
    message: string;
  }[];
  signatures?: { checkpoints: number; valid: number; invalid: number; unknownKey: number; unsigned: number };
  error?: string;
}

/** A link into the explorer with a view run for one namespace: where a red cell points. */
const explorerLink = (view: string, ns: string, text: string): HTMLElement =>
  h('a', { href: writeState({ panel: 'explorer', range: 'day', view, params: { ns } }) }, text);

async function latestVerify(context: PanelContext): Promise<HealthReport | null> {
  if (!context.settings.auditHealthUrl) return null;
  try {
    return (await context.api.fetchJson(context.settings.auditHealthUrl)) as HealthReport;
  } catch (error) {
    return { error: messageOf(error) };
  }
}

function nsRow(ns: string, views: Record<string, Row[]>, report: HealthReport | null): HTMLElement {
  const of = (view: string) => views[view]!.filter((r) => r.ns === ns);
  const completeness = of('audit_completeness');
  const missing = completeness.reduce((n, r) => n + Number(r.missing), 0);
  const duplicates = completeness.reduce((n, r) => n + Number(r.duplicates), 0);
  const gaps = of('audit_gaps');
  const links = of('audit_chain_links');
  const checkpoints = of('audit_checkpoints');
  const last = checkpoints.reduce<Row | undefined>(
    (a, r) => (!a || Number(r.head_seq) > Number(a.head_seq) ? r : a),
    undefined,
  );
  const problems = (report?.problems ?? []).filter((p) => p.ns === ns && p.severity === 'error');
  const signatureProblems = problems.filter((p) =>
    ['bad-signature', 'unknown-key', 'unsigned'].includes(p.kind),
  );
  const cell = (ok: boolean, good: string, bad: HTMLElement | string) =>
    h('td', {}, ok ? badge('ok', good) : h('span', { class: 'badge bad' }, '✗ ', bad));
  const intact = gaps.length === 0 && links.length === 0 && missing === 0;
  return h(
    'tr',
    { class: intact && problems.length === 0 ? 'ok-row' : 'bad-row', 'data-ns': ns },
    h('th', { scope: 'row' }, ns),
    cell(
      intact,
      'intact',
      explorerLink(
        links.length ? 'audit_chain_links' : 'audit_gaps',
        ns,
        links.length ? `${links.length} broken link(s) from seq ${links[0]!.seq}` : `${missing} missing`,
      ),
    ),
    cell(
      gaps.length === 0,
      'none',
      explorerLink(
        'audit_gaps',
        ns,
        gaps
          .map((g) => (g.gap_from === g.gap_to ? `seq ${g.gap_from}` : `seq ${g.gap_from}–${g.gap_to}`))
          .slice(0, 3)
          .join(', '),
      ),
    ),
    h('td', { class: 'num' }, duplicates === 0 ? 'none' : `${duplicates} re-delivered`),
    last
      ? cell(
          last.status === 'ok',
          `seq ${last.head_seq} reconciled`,
          explorerLink('audit_checkpoints', ns, `seq ${last.head_seq}: ${last.status}`),
        )
      : h('td', {}, badge('unknown', 'no checkpoint yet')),
    !report || report.ran === false || report.error
      ? h('td', {}, badge('unknown', 'no verify run'))
      : cell(signatureProblems.length === 0, 'valid', signatureProblems.map((p) => p.message).join('; ')),
  );
}

/**
 * The audit health panel: per namespace of the token — chain intact, gaps, duplicates, the last
 * checkpoint reconciled, signatures valid — from the audit views and the latest scheduled verify; a
 * red cell links to the view that names the exact problem.
 *
 * @example
 * ```ts
 * import { auditHealthPanel } from './audit-health-panel.ts';
 * main.replaceChildren(await auditHealthPanel(context));
 * ```
 */
export async function auditHealthPanel(context: PanelContext): Promise<HTMLElement> {
  const names = ['audit_completeness', 'audit_gaps', 'audit_chain_links', 'audit_checkpoints'];
  const section = h(
    'section',
    { 'aria-labelledby': 'audit-title' },
    h('h2', { id: 'audit-title' }, 'Audit health'),
  );
  const [report, answers] = await Promise.all([
    latestVerify(context),
    Promise.allSettled(names.map((name) => context.api.view(name, { limit: 10_000 }))),
  ]);
  const views: Record<string, Row[]> = {};
  for (const [i, name] of names.entries()) {
    const answer = answers[i]!;
    if (answer.status === 'rejected') {
      section.append(h('p', { class: 'error', role: 'alert' }, `${name}: ${messageOf(answer.reason)}`));
      views[name] = [];
    } else {
      noteHeaders(context, name, answer.value.headers);
      views[name] = answer.value.rows;
    }
  }
  const namespaces = [...new Set(views.audit_completeness!.map((r) => String(r.ns)))].sort();
  section.append(
    h(
      'p',
      { class: 'muted' },
      report && !report.error && report.ran !== false
        ? `Latest scheduled verify: ${report.checkedAt ?? 'unknown time'} — ${(report.problems ?? []).some((p) => p.severity === 'error' && namespaces.includes(p.ns)) ? 'found problems in these namespaces' : 'no problem in these namespaces'}${report.signing ? '' : ' (checkpoints are unsigned)'}.`
        : context.settings.auditHealthUrl
          ? 'The scheduled verify has not reported yet; the columns below come from the audit views.'
          : 'This server runs no scheduled verify; the columns below come from the audit views.',
    ),
  );
  if (namespaces.length === 0) {
    section.append(h('p', { class: 'empty' }, 'No events in the lake for this token yet.'));
    return section;
  }
  section.append(
    h(
      'div',
      { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Audit health per namespace' },
      h(
        'table',
        { class: 'health' },
        h('caption', {}, 'Per namespace'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Namespace', 'Chain', 'Gaps', 'Duplicates', 'Last checkpoint', 'Signatures'].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          namespaces.map((ns) => nsRow(ns, views, report)),
        ),
      ),
    ),
  );
  return section;
}
