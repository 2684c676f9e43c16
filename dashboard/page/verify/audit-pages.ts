import { tableFromIPC } from 'apache-arrow';

/** Where the next page of `audit_events` starts: after this (incarnation, seq). */
export interface AuditCursor {
  incarnation: string;
  seq: number;
}

/** Fetches one page of `audit_events` as Arrow IPC, after a cursor. */
export type FetchAuditPage = (after: AuditCursor) => Promise<Uint8Array>;

/** How {@link downloadAuditPages} pages. */
export interface AuditPagesOptions {
  /** The events a full page holds (the `limit` the pages are asked with). */
  pageEvents: number;
  /** Told after every page: the pages, bytes and events so far. */
  onPage?: (progress: { pages: number; bytes: number; events: number }) => void;
}

/** The events (distinct incarnation, seq) of one page, and its last one (the rows come in that order). */
function pageKeys(arrow: Uint8Array): { events: number; last: AuditCursor | null } {
  const table = tableFromIPC(arrow);
  if (table.numRows === 0) return { events: 0, last: null };
  const incarnations = table.getChild('incarnation');
  const seqs = table.getChild('seq');
  if (!incarnations || !seqs) throw new Error('an audit_events page has no incarnation or seq column');
  const keys = new Set<string>();
  for (let i = 0; i < table.numRows; i++) keys.add(`${incarnations.get(i)}\u0000${seqs.get(i)}`);
  const at = table.numRows - 1;
  return {
    events: keys.size,
    last: { incarnation: String(incarnations.get(at)), seq: Number(seqs.get(at)) },
  };
}

const before = (a: AuditCursor, b: AuditCursor) =>
  a.incarnation < b.incarnation || (a.incarnation === b.incarnation && a.seq < b.seq);

/**
 * Every page of one namespace's `audit_events`, following the keyset cursor until a page holds fewer
 * than `pageEvents` events, so the whole namespace is checked however large (one page stays inside the
 * engines' result bound; a namespace need not). A page whose last event does not move the cursor
 * forward is refused rather than fetched again forever.
 *
 * @example
 * ```ts
 * import { downloadAuditPages } from './audit-pages.ts';
 * const pages = await downloadAuditPages(
 *   async (after) => new Uint8Array(await (await api.download('audit_events', { ns, after_incarnation: after.incarnation, after_seq: after.seq }, 'arrow')).arrayBuffer()),
 *   { pageEvents: 10_000 },
 * );
 * ```
 */
export async function downloadAuditPages(
  fetchPage: FetchAuditPage,
  options: AuditPagesOptions,
): Promise<Uint8Array[]> {
  const pages: Uint8Array[] = [];
  let after: AuditCursor = { incarnation: '', seq: 0 };
  let bytes = 0;
  let events = 0;
  for (;;) {
    const page = await fetchPage(after);
    const keys = pageKeys(page);
    pages.push(page);
    bytes += page.byteLength;
    events += keys.events;
    options.onPage?.({ pages: pages.length, bytes, events });
    if (keys.last === null || keys.events < options.pageEvents) return pages;
    if (!before(after, keys.last))
      throw new Error(
        `audit_events page ${pages.length} ends at incarnation ${keys.last.incarnation} seq ${keys.last.seq}, not after the cursor`,
      );
    after = keys.last;
  }
}
