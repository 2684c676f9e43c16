import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { icebergRead } from 'icebird';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  catalogTableDir,
  commitMetadata,
  compactIcebergTable,
  createIcebergTable,
  decodeAvroContainer,
  decodeManifest,
  decodeManifestList,
  encodeManifest,
  readCurrentMetadata,
  toIcebergSchema,
} from '../../../lake/iceberg/index.ts';
import { createCatalogSink, createPipelinesStandIn } from '../../../local/pipelines/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { col, columnsOf, type EventRow, eventRow } from '../../../schemas/index.ts';
import { eventFixture, tempDir } from '../helpers.ts';
import { installFileFetch } from './iceberg-file-fetch.ts';

/** Checks a row read by an independent reader (int64 as bigint, timestamps as ms Dates, JSON as text). */
function expectSameRow(got: Record<string, unknown>, want: EventRow): void {
  for (const column of columnsOf(eventRow)) {
    const value = (want as Record<string, unknown>)[column.name] ?? null;
    const actual = got[column.name] ?? null;
    if (value === null) expect(actual, column.name).toBeNull();
    else if (column.lakeType === 'timestamp')
      expect((actual as Date).getTime(), column.name).toBe(Math.floor((value as number) / 1000));
    else if (column.lakeType === 'int64')
      expect(BigInt(actual as bigint), column.name).toBe(BigInt(value as number));
    else if (column.lakeType === 'json') expect(JSON.parse(actual as string), column.name).toEqual(value);
    else expect(actual, column.name).toEqual(value);
  }
}

const ROOT = resolve(import.meta.dirname, '../../..');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const rowsFrom = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => eventFixture(from + i));
const bySeq = (a: Record<string, unknown>, b: Record<string, unknown>) => Number(a.seq) - Number(b.seq);

describe('Iceberg table written by the Pipelines stand-in (r2-data-catalog sink)', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let tableDir: string;
  let restoreFetch: () => void;
  const rows = Array.from({ length: 60 }, (_, i) =>
    eventFixture(i + 1, i === 5 ? { data: null, actor: 'https://auth.startups.studio/users/x' } : {}),
  );
  const rolls = [10, 1, 25, 24];

  beforeAll(async () => {
    temp = await tempDir('dotdo-iceberg-');
    restoreFetch = installFileFetch();
    const pipelines = createPipelinesStandIn({
      dataDir: temp.dir,
      streams: { events: { table: 'events', sink: { kind: 'r2-data-catalog', namespace: 'analytics' } } },
    });
    let at = 0;
    for (const size of rolls) {
      const response = pipelines.ingest('events', JSON.stringify(rows.slice(at, at + size)), undefined);
      expect(response.status).toBe(200);
      at += size;
      const [file] = pipelines.roll();
      expect(file).toMatchObject({ sink: 'r2-data-catalog', rows: size });
    }
    pipelines.close();
    tableDir = catalogTableDir(join(temp.dir, 'r2', 'lake'), 'analytics', 'events');
  });
  afterAll(async () => {
    restoreFetch();
    await temp.remove();
  });

  it('is read by icebird with identical rows', async () => {
    const read = (await icebergRead({ tableUrl: pathToFileURL(tableDir).href })) as Record<string, unknown>[];
    expect(read).toHaveLength(rows.length);
    read.sort(bySeq).forEach((got, i) => {
      expectSameRow(got, rows[i]!);
    });
  });

  it('has Parquet data files that hyparquet reads with identical rows and that carry the Iceberg field ids', async () => {
    const table = createIcebergTable({ dir: tableDir });
    const live = table.liveFiles();
    expect(live.map((f) => f.record_count).sort((a, b) => a - b)).toEqual([...rolls].sort((a, b) => a - b));
    const read: Record<string, unknown>[] = [];
    for (const file of live) {
      const bytes = readFileSync(file.localPath);
      const objects = (await parquetReadObjects({
        file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        compressors,
      })) as Record<string, unknown>[];
      expect(objects).toHaveLength(file.record_count);
      read.push(...objects);
    }
    read.sort(bySeq).forEach((got, i) => {
      expectSameRow(got, rows[i]!);
    });

    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const first = live[0]!.localPath.replace(/'/g, "''");
    const ids = (
      await connection.runAndReadAll(
        `SELECT name, field_id FROM parquet_schema('${first}') WHERE field_id IS NOT NULL`,
      )
    ).getRowObjectsJson();
    expect(ids.map((r) => [r.name, Number(r.field_id)])).toEqual(
      toIcebergSchema(eventRow).fields.map((f) => [f.name, f.id]),
    );
    // Microseconds survive exactly (the independent readers above only see milliseconds).
    const list = live.map((f) => `'${f.localPath.replace(/'/g, "''")}'`).join(', ');
    const exact = (
      await connection.runAndReadAll(
        `SELECT seq, epoch_us(ts) AS us FROM read_parquet([${list}]) ORDER BY seq`,
      )
    ).getRowObjectsJson();
    expect(exact.map((r) => [Number(r.seq), Number(r.us)])).toEqual(rows.map((r) => [r.seq, r.ts]));
    connection.closeSync();
  });

  it('commits one append snapshot per roll with exact counts, sizes and absolute file:// URIs', () => {
    const current = readCurrentMetadata(tableDir)!;
    const { metadata } = current;
    expect(metadata['format-version']).toBe(2);
    expect(readFileSync(join(tableDir, 'metadata', 'version-hint.text'), 'utf8')).toBe(
      String(current.version),
    );
    expect(current.version).toBe(rolls.length + 1); // v1 is the empty table
    expect(metadata.location).toBe(pathToFileURL(tableDir).href);
    expect(metadata.snapshots.map((s) => s.summary.operation)).toEqual(rolls.map(() => 'append'));
    expect(metadata.snapshots.map((s) => s['sequence-number'])).toEqual(rolls.map((_, i) => i + 1));
    expect(metadata['current-snapshot-id']).toBe(metadata.snapshots.at(-1)!['snapshot-id']);
    expect(metadata.snapshots.at(-1)!.summary['total-records']).toBe(String(rows.length));
    expect(metadata['metadata-log']).toHaveLength(rolls.length);

    const last = metadata.snapshots.at(-1)!;
    expect(last['manifest-list']).toMatch(/^file:\/\/\//);
    const listBytes = readFileSync(fileURLToPath(last['manifest-list']));
    const list = decodeManifestList(listBytes, last['manifest-list']);
    expect(list).toHaveLength(rolls.length); // fast append carries the parent's manifests
    const header = decodeAvroContainer(listBytes).schema as {
      fields: { name: string; 'field-id': number }[];
    };
    expect(header.fields.find((f) => f.name === 'manifest_path')?.['field-id']).toBe(500);
    for (const manifest of list) {
      expect(manifest.manifest_length).toBe(statSync(fileURLToPath(manifest.manifest_path)).size);
      const entries = decodeManifest(readFileSync(fileURLToPath(manifest.manifest_path)), manifest);
      expect(entries).toHaveLength(1);
      const [entry] = entries;
      expect(entry!.status).toBe(1);
      expect(entry!.data_file.file_path).toMatch(/^file:\/\/\/.*\/data\/[0-9a-f-]{36}\.parquet$/);
      expect(entry!.data_file.file_size_in_bytes).toBe(
        statSync(fileURLToPath(entry!.data_file.file_path)).size,
      );
      expect(entry!.sequence_number).toBe(manifest.sequence_number);
    }
  });
});

describe('Iceberg metadata primitives', () => {
  it('refuses to commit a metadata version that another writer already committed', async () => {
    const temp = await tempDir('dotdo-iceberg-');
    const table = createIcebergTable({ dir: temp.dir, schema: toIcebergSchema(eventRow) });
    const { metadata } = table.current();
    expect(commitMetadata(temp.dir, 1, metadata)).toBe(false);
    expect(commitMetadata(temp.dir, 2, metadata)).toBe(true);
    expect(readCurrentMetadata(temp.dir)?.version).toBe(2);
    await temp.remove();
  });

  it('reads a table whose writer died after linking a version but before updating version-hint', async () => {
    const temp = await tempDir('dotdo-iceberg-');
    const table = createIcebergTable({ dir: temp.dir, schema: toIcebergSchema(eventRow) });
    const { metadata } = table.current();
    expect(commitMetadata(temp.dir, 2, metadata)).toBe(true);
    // Simulate the crash window: v3 is in place, the hint still says 2.
    expect(commitMetadata(temp.dir, 3, metadata)).toBe(true);
    writeFileSync(join(temp.dir, 'metadata', 'version-hint.text'), '2');
    expect(readCurrentMetadata(temp.dir)?.version).toBe(3);
    expect(commitMetadata(temp.dir, 3, metadata)).toBe(false);
    await temp.remove();
  });

  it('rejects a DELETED manifest entry without explicit sequence numbers', () => {
    const schema = toIcebergSchema(eventRow);
    const data_file = {
      content: 0,
      file_path: 'file:///x.parquet',
      file_format: 'PARQUET' as const,
      record_count: 1,
      file_size_in_bytes: 10,
    };
    const bytes = encodeManifest(schema, [
      { status: 2, snapshot_id: 1, sequence_number: null, file_sequence_number: null, data_file },
    ]);
    const manifest = {
      manifest_path: 'file:///m.avro',
      manifest_length: bytes.byteLength,
      partition_spec_id: 0,
      content: 0,
      sequence_number: 2,
      min_sequence_number: 2,
      added_snapshot_id: 1,
      added_files_count: 0,
      existing_files_count: 0,
      deleted_files_count: 1,
      added_rows_count: 0,
      existing_rows_count: 0,
      deleted_rows_count: 1,
    };
    expect(() => decodeManifest(bytes, manifest)).toThrow(/entry 0 \(status 2\) has no sequence number/);
  });

  it('refuses to open a table whose schema differs other than by appended optional columns', async () => {
    const temp = await tempDir('dotdo-iceberg-');
    const schema = toIcebergSchema(eventRow);
    createIcebergTable({ dir: temp.dir, schema });
    const renamed = { ...schema, fields: schema.fields.map((f, i) => (i === 1 ? { ...f, name: 'uid' } : f)) };
    expect(() => createIcebergTable({ dir: temp.dir, schema: renamed })).toThrow(
      /column 2:id:string:required became 2:uid:string:required/,
    );
    await temp.remove();
  });
});

describe('Iceberg schema evolution by appended optional columns', () => {
  it('commits the wider schema, reads old and new files together, and compacts them', async () => {
    const temp = await tempDir('dotdo-iceberg-');
    const restore = installFileFetch();
    const bucketDir = join(temp.dir, 'r2', 'lake');
    const sinkFor = (schema: z.ZodObject) =>
      createCatalogSink({ stream: 'events', bucketDir, namespace: 'analytics', table: 'events', schema });
    sinkFor(eventRow).write(rowsFrom(1, 3), crypto.randomUUID());
    const wider = eventRow.extend({ note: col.string().nullable() });
    sinkFor(wider).write(
      rowsFrom(4, 2).map((r) => ({ ...r, note: `note ${r.seq}` })),
      crypto.randomUUID(),
    );
    const tableDir = catalogTableDir(bucketDir, 'analytics', 'events');
    const { metadata } = readCurrentMetadata(tableDir)!;
    expect(metadata.schemas.map((s) => s['schema-id'])).toEqual([0, 1]);
    expect(metadata['current-schema-id']).toBe(1);
    expect(metadata['last-column-id']).toBe(columnsOf(eventRow).length + 1);

    const engine = await createDuckDbEngine({ lake: bucketDir });
    const count = 'SELECT count(*) AS n, count(note) AS notes, sum(seq) AS seqs FROM analytics.events';
    expect((await engine.query(count)).rows).toEqual([{ n: 5, notes: 2, seqs: 15 }]);
    const icebird = await icebergRead({ tableUrl: pathToFileURL(tableDir).href });
    expect(icebird.sort(bySeq).map((r) => r.note ?? null)).toEqual([null, null, null, 'note 4', 'note 5']);

    expect(compactIcebergTable(tableDir).rows).toBe(5);
    expect((await engine.query(count)).rows).toEqual([{ n: 5, notes: 2, seqs: 15 }]);
    engine.close();

    expect(() => sinkFor(wider.extend({ extra: col.string() }))).toThrow(
      /new column \d+:extra:string:required must be optional/,
    );
    expect(() => sinkFor(eventRow.omit({ deleted: true }))).toThrow(
      /deleted.* is missing from the new schema/,
    );
    restore();
    await temp.remove();
  });
});

describe('Iceberg commits from concurrent writers', () => {
  it('loses no append when two processes commit to one table at once', async () => {
    const temp = await tempDir('dotdo-iceberg-race-');
    const tableDir = join(temp.dir, 'table');
    createIcebergTable({ dir: tableDir, schema: toIcebergSchema(eventRow) });
    const script = join(temp.dir, 'writer.mts');
    writeFileSync(
      script,
      `import { createIcebergTable } from ${JSON.stringify(join(ROOT, 'lake/iceberg/index.ts'))};
const [dir, writer, startAt] = process.argv.slice(2);
const table = createIcebergTable({ dir });
while (Date.now() < Number(startAt)) {} // both writers start together, so their commits collide
for (let i = 0; i < 40; i++) {
  table.append([{ path: dir + '/data/' + writer + '-' + i + '.parquet', recordCount: 1, sizeInBytes: 100 }]);
}
`,
    );
    const startAt = String(Date.now() + 1500);
    const run = (writer: string) =>
      new Promise<void>((done, fail) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, tableDir, writer, startAt], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`writer ${writer}: ${stderr}`))));
      });
    await Promise.all([run('a'), run('b')]);
    const table = createIcebergTable({ dir: tableDir });
    const live = table.liveFiles();
    expect(live).toHaveLength(80);
    expect(new Set(live.map((f) => f.file_path)).size).toBe(80);
    const { metadata, version } = table.current();
    expect(version).toBe(81);
    expect(metadata.snapshots.map((s) => s['sequence-number'])).toEqual(range(1, 80));
    expect(new Set(live.map((f) => f.sequenceNumber)).size).toBe(80);
    expect(metadata.snapshots.at(-1)?.summary['total-data-files']).toBe('80');
    // Lost races leave their manifests unreferenced, as in any Iceberg writer; none is live.
    const manifests = readdirSync(join(tableDir, 'metadata')).filter((f) => f.endsWith('-m0.avro'));
    expect(manifests.length).toBeGreaterThanOrEqual(80);
    await temp.remove();
  }, 60_000);
});
