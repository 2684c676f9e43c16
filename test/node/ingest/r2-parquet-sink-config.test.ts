import { createHash } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createR2ParquetSink, type R2PutOptionsLike, SinkError } from '../../../ingest/index.ts';
import { col } from '../../../schemas/index.ts';
import { eventFixture } from '../helpers.ts';

// Construction checks and put details, under Node (where parquet-wasm initialises itself) against an
// in-memory bucket. The workerd + Miniflare R2 + DuckDB path is in r2-parquet-sink.test.ts.

interface Put {
  key: string;
  bytes: Uint8Array;
  options: R2PutOptionsLike | undefined;
}

function memoryBucket(deleteFails = false) {
  const puts: Put[] = [];
  let failAfter = Number.POSITIVE_INFINITY;
  return {
    puts,
    failAfter(n: number) {
      failAfter = n;
    },
    async put(key: string, bytes: Uint8Array, options?: R2PutOptionsLike) {
      if (puts.length >= failAfter) throw new Error('injected put failure');
      puts.push({ key, bytes, options });
      return {};
    },
    async delete() {
      if (deleteFails) throw new Error('injected delete failure');
    },
  };
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );

describe('createR2ParquetSink configuration', () => {
  it.each([
    [{ rollRows: 0 }, 'rollRows must be a positive integer, got 0'],
    [{ rollBytes: 1.5 }, 'rollBytes must be a positive integer, got 1.5'],
    [{ table: 'evnets' as never }, 'unknown table "evnets"; use one of events, things, actions'],
    [{ table: z.object({ id: col.url() }) }, 'a table given as a schema needs a prefix'],
    [{ partitioning: 'year=%Y/week=%V' }, 'unsupported directive %V'],
  ])('refuses %o at construction with an actionable message', (config, message) => {
    expect(() => createR2ParquetSink(memoryBucket(), config)).toThrow(message);
  });

  it('refuses something that is not a bucket binding', () => {
    expect(() => createR2ParquetSink('LAKE' as never)).toThrow(
      /no put\(key, bytes\) method; pass the R2 binding/,
    );
  });

  it('writes nothing for an empty send', async () => {
    const bucket = memoryBucket();
    await createR2ParquetSink(bucket).send([]);
    expect(bucket.puts).toEqual([]);
  });

  it('puts each file with its content type, row count and SHA-256 (so R2 rejects a corrupted upload)', async () => {
    const bucket = memoryBucket();
    await createR2ParquetSink(bucket, { prefix: '/lake/events/' }).send([eventFixture(1), eventFixture(2)]);
    const [put] = bucket.puts;
    expect(put!.key).toMatch(/^lake\/events\/year=\d{4}\/month=\d\d\/day=\d\d\/[0-9a-f-]{36}\.parquet$/);
    expect(put!.options?.httpMetadata).toEqual({ contentType: 'application/vnd.apache.parquet' });
    expect(put!.options?.customMetadata).toEqual({ rows: '2' });
    const digest = createHash('sha256').update(put!.bytes).digest();
    expect(Buffer.from(put!.options!.sha256 as ArrayBuffer)).toEqual(digest);
  });

  it('writes a table given as a zod schema under its prefix, columns in schema order', async () => {
    const bucket = memoryBucket();
    const metric = z.object({
      name: col.string(),
      value: col.float64(),
      ok: col.bool(),
      at: col.timestamp(),
    });
    const sink = createR2ParquetSink(bucket, { table: metric, prefix: 'metrics' });
    const rows = [
      { name: 'cpu', value: 0.5, ok: true, at: 1_764_000_000_000_001 },
      { name: 'ü𝄞', value: -1e-9, ok: false, at: 1_764_000_000_000_002 },
    ];
    await sink.send(rows);
    expect(bucket.puts[0]!.key).toMatch(/^metrics\/year=/);
    const read = await parquetReadObjects({
      file: bucket.puts[0]!.bytes.slice().buffer,
      compressors,
      utf8: true,
    });
    expect(read.map((r) => [r.name, r.value, r.ok])).toEqual(rows.map((r) => [r.name, r.value, r.ok]));
  });

  it('says so when the files a failed send wrote could not be deleted, naming them', async () => {
    const bucket = memoryBucket(true);
    bucket.failAfter(1);
    const error = await failure(
      createR2ParquetSink(bucket, { rollRows: 1 }).send([eventFixture(1), eventFixture(2)]),
    );
    expect(error).toBeInstanceOf(SinkError);
    expect(error.message).toContain('injected put failure');
    expect(error.message).toContain(
      '1 file(s) of it were written and could not be deleted (injected delete failure)',
    );
    expect(error.message).toContain(bucket.puts[0]!.key);
  });

  it('lists at most five invalid rows and counts the rest', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ ...eventFixture(i + 1), id: 'not-a-url' }));
    const bucket = memoryBucket();
    const error = await failure(createR2ParquetSink(bucket).send(rows));
    expect(error).toBeInstanceOf(SinkError);
    expect(error.message).toMatch(
      /^8 of 8 row\(s\) do not match the table schema, so nothing of this send was written: row 0 field "id": must be an absolute URL/,
    );
    expect(error.message).toContain('row 4 field "id"');
    expect(error.message).not.toContain('row 5 field');
    expect(error.message).toMatch(/and 3 more invalid row\(s\)$/);
    expect(bucket.puts).toEqual([]);
  });
});
