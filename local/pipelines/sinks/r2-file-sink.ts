import { mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { encodeParquet } from '../../../lake/index.ts';
import { dataFileKey } from '../../../lake/partition-path.ts';
import type { RolledFile, StreamSink } from './stream-sink.ts';
import { writeDurably } from './write-durably.ts';

/** Construction options of {@link createR2FileSink}. */
export interface R2FileSinkConfig {
  stream: string;
  /** The directory that mirrors the bucket. */
  bucketDir: string;
  /** The table: its prefix in the bucket and the schema of its rows. */
  table: string;
  schema: z.ZodObject;
  /** strftime partitioning of file keys. */
  partitioning: string;
}

/**
 * The Pipelines `r2` sink: each roll becomes `<bucket>/<table>/<partition>/<fileId>.parquet` (zstd),
 * written to a temporary name and renamed into place, so a file that exists is complete. A file is
 * committed once it is in place.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../../schemas/index.ts';
 * import { createR2FileSink } from './r2-file-sink.ts';
 * const sink = createR2FileSink({ stream: 'events', bucketDir: '.data/r2/lake', table: 'events', schema: eventRow, partitioning: 'year=%Y/month=%m/day=%d' });
 * sink.write(rows, crypto.randomUUID());
 * ```
 */
export function createR2FileSink(config: R2FileSinkConfig): StreamSink {
  const tableDir = join(config.bucketDir, config.table);

  function landedIds(): Set<string> {
    const ids = new Set<string>();
    let names: string[] = [];
    try {
      names = readdirSync(tableDir, { recursive: true }) as string[];
    } catch {
      return ids;
    }
    for (const name of names) {
      // A temporary file is a roll that died before its rename: it was never committed.
      if (name.endsWith('.parquet.tmp')) unlinkSync(join(tableDir, name));
      else if (name.endsWith('.parquet')) ids.add(name.slice(name.lastIndexOf('/') + 1, -'.parquet'.length));
    }
    return ids;
  }

  return {
    kind: 'r2',
    write(rows, fileId): RolledFile {
      const key = dataFileKey(config.table, new Date(), config.partitioning, fileId);
      const path = join(config.bucketDir, key);
      const bytes = encodeParquet(config.schema, rows);
      mkdirSync(dirname(path), { recursive: true });
      writeDurably(path, bytes);
      return { stream: config.stream, path, rows: rows.length, bytes: bytes.byteLength, sink: 'r2' };
    },
    committed(fileIds) {
      const landed = landedIds();
      return new Set(fileIds.filter((id) => landed.has(id)));
    },
  };
}
