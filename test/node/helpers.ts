import type { EventRow } from '../../schemas/index.ts';
import { eventRow } from './fixtures/events.ts';

export { tempDir } from './fixtures/events.ts';

/** A valid global event row; `seq` varies the identity, `overrides` anything else. */
export function eventFixture(seq: number, overrides: Partial<EventRow> = {}): EventRow {
  return {
    ...eventRow(seq),
    actor: seq % 2 ? null : 'https://auth.startups.studio/users/nathan',
    ...overrides,
  };
}

/** POSTs a JSON body (or raw text) and returns status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}
