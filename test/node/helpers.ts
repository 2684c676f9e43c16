import type { EventRow } from '../../schemas/index.ts';
import { eventRow } from './fixtures/events.ts';

export { post as postJson, tempDir } from './fixtures/events.ts';

/** A valid global event row; `seq` varies the identity, `overrides` anything else. */
export function eventFixture(seq: number, overrides: Partial<EventRow> = {}): EventRow {
  return {
    ...eventRow(seq),
    actor: seq % 2 ? null : 'https://auth.startups.studio/users/nathan',
    ...overrides,
  };
}
