import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../../schemas/index.ts';
import { createRecordChecker } from '../../../local/pipelines/check-records.ts';
import { rejectsEntry } from '../../../local/pipelines/ingest-answers.ts';
import { createRejectsFile } from '../../../local/pipelines/rejects-file.ts';
import { eventRow, tempDir } from '../fixtures/events.ts';

describe('the rejects file', () => {
  it('rotates past its size and keeps at most the configured number of files', async () => {
    const { dir, remove } = await tempDir('dotdo-rejects-');
    try {
      const rejects = createRejectsFile({ dir, stream: 'events', maxFileBytes: 1_000, maxFiles: 3 });
      for (let i = 0; i < 100; i++) expect(rejects.keep({ i, pad: 'x'.repeat(80) })).toBe(true);
      const files = readdirSync(dir).sort();
      expect(files).toEqual(['events.1.ndjson', 'events.2.ndjson', 'events.ndjson']);
      for (const name of files) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(1_000);
      // The newest entries are kept, the oldest rotated away.
      const newest = readFileSync(join(dir, 'events.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(newest.at(-1)).toMatchObject({ i: 99 });
      expect(rejects.keep({ pad: 'x'.repeat(2_000) })).toBe(false);
    } finally {
      await remove();
    }
  });

  it('stores each rejected record once, with grouped reasons, and only the rejected ones', () => {
    const records = [eventRow(1), {}, { ...eventRow(3), seq: 'three' }, {}];
    const checker = createRecordChecker(TABLES.events, records, { maxDepth: 64 });
    checker.step(0, records.length);
    const check = checker.result()!;
    expect(check).toMatchObject({ invalid: 3, rejected: [1, 2, 3], ranges: [[1, 3]] });
    const body = JSON.stringify(records);
    const entry = JSON.parse(rejectsEntry({ stream: 'events', table: 'events', records, check, body }));
    expect(entry.rows).toEqual([{}, records[2], {}]);
    expect(entry.reasons).toEqual([
      expect.objectContaining({
        message: 'missing required fields (13)',
        count: 2,
        indices: [
          [1, 1],
          [3, 3],
        ],
      }),
      expect.objectContaining({ field: 'seq', count: 1, indices: [[2, 2]] }),
    ]);
    expect(JSON.stringify(entry).length).toBeLessThan(2 * body.length);
  });
});
