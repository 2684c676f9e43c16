import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLines, WriteAheadLog } from '../../../local/pipelines/write-ahead-log.ts';
import { tempDir } from '../fixtures/events.ts';

describe('write-ahead log, fsync off the event loop', () => {
  it('resolves every concurrent append once durable, across a seal and a close, and loses none', async () => {
    const { dir, remove } = await tempDir('dotdo-wal-');
    try {
      const wal = new WriteAheadLog(dir, 'events');
      const pending: Promise<void>[] = [];
      let sealed = '';
      for (let i = 0; i < 60; i++) {
        pending.push(wal.appendJsonDurably(JSON.stringify([{ seq: i }])));
        // A seal while fsyncs of the old file are under way: they still complete on that file.
        if (i === 29) sealed = wal.seal('f1');
        if (i % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      wal.close(); // deferred until the last fsync is done
      await Promise.all(pending);
      const seqs = (path: string) => parseLines(readFileSync(path, 'utf8')).map((r) => r.seq);
      expect(seqs(sealed)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      const reopened = new WriteAheadLog(dir, 'events');
      expect(reopened.readOpen().map((r) => r.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 + i));
      reopened.close();
    } finally {
      await remove();
    }
  });
});
