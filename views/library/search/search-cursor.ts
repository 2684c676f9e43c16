import { z } from 'zod';
import { isSqlText } from './text-param.ts';

/** Where a page of `search_things` ends: the last row's rank, sort name (name, '' when null) and id. */
export interface SearchCursor {
  rank: number;
  name: string;
  id: string;
}

const MAX_CURSOR_CHARS = 4096;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function toBase64Url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
}

/**
 * The opaque cursor of a search row: base64url of `[rank, name, id]`. A caller passes the last row's
 * cursor back to get the page after it.
 *
 * @example
 * ```ts
 * import { decodeSearchCursor, encodeSearchCursor } from './search-cursor.ts';
 * decodeSearchCursor(encodeSearchCursor({ rank: 2, name: 'Acme', id: 'https://x.test/acme@v3' }))?.name; // 'Acme'
 * ```
 */
export function encodeSearchCursor(cursor: SearchCursor): string {
  return toBase64Url(JSON.stringify([cursor.rank, cursor.name, cursor.id]));
}

/**
 * The position a cursor holds, or undefined when it is not one {@link encodeSearchCursor} made.
 *
 * @example
 * ```ts
 * import { decodeSearchCursor } from './search-cursor.ts';
 * decodeSearchCursor("' OR 1=1 --"); // undefined
 * ```
 */
export function decodeSearchCursor(text: string): SearchCursor | undefined {
  if (text.length > MAX_CURSOR_CHARS || !BASE64URL.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(fromBase64Url(text));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [rank, name, id] = value as unknown[];
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank > 4) return undefined;
  if (typeof name !== 'string' || typeof id !== 'string' || id === '') return undefined;
  if (!isSqlText(name) || !isSqlText(id)) return undefined;
  return { rank, name, id };
}

/**
 * The `cursor` param: a cursor from a previous page, decoded; anything else is refused.
 *
 * @example
 * ```ts
 * import { cursorParam } from './search-cursor.ts';
 * cursorParam().safeParse('not-a-cursor').success; // false
 * ```
 */
export function cursorParam() {
  return z.string().transform((text, ctx): SearchCursor => {
    const cursor = decodeSearchCursor(text);
    if (!cursor) {
      ctx.addIssue({
        code: 'custom',
        message: 'not a cursor from this view (pass the cursor of a row it answered)',
      });
      return z.NEVER;
    }
    return cursor;
  });
}
