import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  columnStats,
  createIcebergTable,
  decodeLongBound,
  encodeDataFile,
  footerColumnStats,
  parquetFooter,
  toIcebergSchema,
} from '../../../lake/iceberg/index.ts';
import { rowsToArrow } from '../../../lake/parquet/rows-to-arrow.ts';
import { eventRow } from '../../../schemas/index.ts';
import { eventRows, tempDir } from '../fixtures/events.ts';

const schema = toIcebergSchema(eventRow);
const id = (name: string) => schema.fields.find((f) => f.name === name)!.id;
const rows = eventRows(3, 9).map((r, i) => ({ ...r, actor: i === 2 ? `${'ü'.repeat(20)}x` : null }));
const table = rowsToArrow(eventRow, rows as never);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('Iceberg column statistics', () => {
  it('encodes bounds in the single-value binary form: timestamptz and long as 8-byte LE, int as 4', () => {
    const stats = columnStats(schema, table);
    expect(decodeLongBound(stats.lower_bounds.get(id('ts')))).toBe(BigInt(rows[0]!.ts));
    expect(decodeLongBound(stats.upper_bounds.get(id('ts')))).toBe(BigInt(rows.at(-1)!.ts));
    expect(decodeLongBound(stats.lower_bounds.get(id('seq')))).toBe(3n);
    expect(stats.lower_bounds.get(id('schema_version'))?.byteLength).toBe(4);
    expect(stats.value_counts.get(id('actor'))).toBe(rows.length);
    expect(stats.null_value_counts.get(id('actor'))).toBe(rows.length - 1);
    // A long string keeps 16 characters; its upper bound is raised so it stays above the value.
    const lower = new TextDecoder().decode(stats.lower_bounds.get(id('actor')));
    const upper = new TextDecoder().decode(stats.upper_bounds.get(id('actor')));
    expect(lower).toBe('ü'.repeat(16));
    expect(upper).toBe(`${'ü'.repeat(15)}ý`);
    expect(upper > `${'ü'.repeat(20)}x` && lower <= `${'ü'.repeat(20)}x`).toBe(true);
  });

  it('reads the same fixed-width bounds from the Parquet footer alone', () => {
    const bytes = encodeDataFile(schema, table);
    const footer = parquetFooter(bytes);
    expect(footer).not.toBeNull();
    const fromFooter = footerColumnStats(schema, footer!);
    const fromRows = columnStats(schema, table);
    for (const name of ['ts', 'seq', 'schema_version', 'duration_ms']) {
      expect(fromFooter.lower_bounds.get(id(name)), name).toEqual(fromRows.lower_bounds.get(id(name)));
      expect(fromFooter.upper_bounds.get(id(name)), name).toEqual(fromRows.upper_bounds.get(id(name)));
    }
    expect(fromFooter.null_value_counts).toEqual(fromRows.null_value_counts);
    expect(parquetFooter(bytes.subarray(0, bytes.length - 1))).toBeNull();
  });

  it('writes them into the manifest on append and reads them back, and survives a garbage footer', async () => {
    const temp = await tempDir('dotdo-column-stats-');
    cleanups.push(temp.remove);
    const iceberg = createIcebergTable({ dir: join(temp.dir, 't'), schema });
    mkdirSync(join(temp.dir, 't', 'data'), { recursive: true });
    const good = join(temp.dir, 't', 'data', 'a.parquet');
    const bad = join(temp.dir, 't', 'data', 'b.parquet');
    writeFileSync(good, encodeDataFile(schema, table));
    writeFileSync(
      bad,
      Buffer.concat([Buffer.from('junk'), Buffer.from([255, 255, 255, 255]), Buffer.from('PAR1')]),
    );
    iceberg.append([{ path: good, recordCount: rows.length }]);
    iceberg.append([{ path: bad, recordCount: 0 }]);
    const [a, b] = iceberg.liveFiles().sort((x, y) => x.file_path.localeCompare(y.file_path));
    expect(decodeLongBound(a!.lower_bounds?.get(id('ts')))).toBe(BigInt(rows[0]!.ts));
    expect(decodeLongBound(a!.upper_bounds?.get(id('ts')))).toBe(BigInt(rows.at(-1)!.ts));
    expect(a!.value_counts?.get(id('ts'))).toBe(rows.length);
    expect(b!.lower_bounds).toBeUndefined();
  });
});
