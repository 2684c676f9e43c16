import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
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

describe('write-ahead log, releasing a committed segment', () => {
  it('takes it out of the sealed set at once, deletes it, and deletes one a crash left behind', async () => {
    const { dir, remove } = await tempDir('dotdo-wal-release-');
    try {
      const wal = new WriteAheadLog(dir, 'events');
      wal.appendJson(JSON.stringify([{ seq: 1 }]));
      const first = wal.seal('f1');
      wal.appendJson(JSON.stringify([{ seq: 2 }]));
      wal.seal('f2');
      wal.release(first);
      // Out of the sealed set before release returns: a restart would not roll it again.
      expect(wal.sealed().map((s) => s.fileId)).toEqual(['f2']);
      await vi.waitFor(() => expect(readdirSync(dir).filter((n) => n.includes('f1'))).toEqual([]));
      wal.close();
      // A released segment whose deletion a crash cut off: gone on the next start, the rest untouched.
      writeFileSync(join(dir, 'events.released.f0.ndjson'), '\n[{"seq":0}]\n');
      const reopened = new WriteAheadLog(dir, 'events');
      expect(readdirSync(dir).sort()).toEqual(['events.open.ndjson', 'events.sealed.f2.ndjson']);
      expect(reopened.sealed().flatMap((s) => s.records)).toEqual([{ seq: 2 }]);
      reopened.close();
    } finally {
      await remove();
    }
  });
});
