/** Attributes of {@link h}: properties for `on*` handlers, attributes otherwise. */
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element with attributes and children (strings become text, never HTML).
 *
 * @example
 * ```ts
 * import { h } from './dom.ts';
 * document.body.append(h('p', { class: 'muted' }, 'Hello'));
 * ```
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value as EventListener);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/**
 * A table of rows: one column per name, cells as text (objects as JSON).
 *
 * @example
 * ```ts
 * import { table } from './dom.ts';
 * table(['ns', 'events'], [{ ns: 'https://a.test', events: 3 }], 'Events per namespace');
 * ```
 */
export function table(columns: string[], rows: Record<string, unknown>[], caption: string): HTMLElement {
  const cell = (value: unknown): string =>
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((row) =>
          h(
            'tr',
            {},
            columns.map((c) => {
              const value = row[c];
              return h('td', { class: typeof value === 'number' ? 'num' : null }, cell(value));
            }),
          ),
        ),
      ),
    ),
  );
}

/** A status badge: ok (green), bad (red) or unknown, with the word spelled out (never color alone). */
export const badge = (state: 'ok' | 'bad' | 'unknown', text: string): HTMLElement =>
  h('span', { class: `badge ${state}` }, state === 'ok' ? '✓ ' : state === 'bad' ? '✗ ' : '? ', text);
