import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDurably } from '../../../local/pipelines/sinks/write-durably.ts';
import { tempDir } from '../fixtures/events.ts';

describe('writeDurably', () => {
  it.each([0, 1, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1, 9 * 1024 * 1024 + 7])(
    'writes %i bytes whole, flushed in steps, and leaves no temporary file',
    async (size) => {
      const { dir, remove } = await tempDir('dotdo-write-durably-');
      try {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i += 4093) bytes[i] = (i / 4093) % 251;
        const path = join(dir, 'file.parquet');
        writeDurably(path, bytes);
        expect(Buffer.compare(readFileSync(path), Buffer.from(bytes))).toBe(0);
        expect(existsSync(`${path}.tmp`)).toBe(false);
      } finally {
        await remove();
      }
    },
  );
});
