import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { icebergRead } from 'icebird';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  catalogTableDir,
  compactIcebergTable,
  createIcebergTable,
  decodeAvroContainer,
  decodeManifestList,
  readCurrentMetadata,
} from '../../../lake/iceberg/index.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { eventFixture, postJson, tempDir } from '../helpers.ts';
import { installFileFetch } from '../lake/iceberg-file-fetch.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
let stack: LocalStack;
let temp: Awaited<ReturnType<typeof tempDir>>;
let tableDir: string;
let restoreFetch: () => void;

beforeEach(async () => {
  temp = await tempDir('dotdo-compaction-');
  restoreFetch = installFileFetch();
  stack = await startLocalStack({
    dataDir: temp.dir,
    port: 0,
    pipelines: { streams: { events: { table: 'events', sink: { kind: 'r2-data-catalog' } } } },
  });
  tableDir = catalogTableDir(stack.pipelines.bucketDir, 'analytics', 'events');
});
afterEach(async () => {
  await stack.close();
  restoreFetch();
  await temp.remove();
});

const SUMMARY = `SELECT count(*) AS n, sum(seq) AS seqs, sum(duration_ms) AS ms, min(ts) AS first_ts,
  max(ts) AS last_ts FROM analytics.events`;
const DUPLICATES = 'SELECT id, count(*) AS n FROM analytics.events GROUP BY id HAVING count(*) > 1';
const BY_ACTOR = `SELECT actor, count(*) AS n, sum(seq) AS seqs FROM analytics.events GROUP BY actor ORDER BY actor`;

async function r2sql(query: string): Promise<Record<string, unknown>[]> {
  const response = await postJson(`${stack.r2SqlUrl}/accounts/x/r2-sql/query/lake`, { query });
  expect(response.body, JSON.stringify(response.body)).toMatchObject({ success: true });
  return response.body.result.rows;
}

async function ingestAndRoll(from: number, count: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => eventFixture(from + i));
  expect((await postJson(`${stack.ingestUrl}/events`, rows)).status).toBe(200);
  expect(stack.pipelines.roll()).toHaveLength(1);
}

async function countParquetOnDisk(): Promise<number> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const glob = join(tableDir, 'data', '*.parquet').replace(/'/g, "''");
  const rows = (
    await connection.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${glob}')`)
  ).getRowObjectsJson();
  connection.closeSync();
  return Number(rows[0]!.n);
}

describe('compaction of an r2-data-catalog table', () => {
  it('rewrites small files into one replace snapshot, leaves the old files on disk, and queries answer the same, not doubled', async () => {
    for (let roll = 0; roll < 5; roll++) await ingestAndRoll(roll * 20 + 1, 20);
    const before = await r2sql(SUMMARY);
    const beforeByActor = await r2sql(BY_ACTOR);
    expect(before[0]).toMatchObject({ n: 100, seqs: 5050 });

    const result = compactIcebergTable(tableDir);
    expect(result.removed).toHaveLength(5);
    expect(result.rows).toBe(100);
    for (const uri of result.removed) expect(existsSync(fileURLToPath(uri))).toBe(true);
    expect(readdirSync(join(tableDir, 'data')).filter((f) => f.endsWith('.parquet'))).toHaveLength(6);
    // Listing data/ is not the table: it would count every row twice now.
    expect(await countParquetOnDisk()).toBe(200);

    const live = createIcebergTable({ dir: tableDir }).liveFiles();
    expect(live.map((f) => f.localPath)).toEqual([result.added]);
    expect(await r2sql(SUMMARY)).toEqual(before);
    expect(await r2sql(BY_ACTOR)).toEqual(beforeByActor);
    expect(await r2sql(DUPLICATES)).toEqual([]);

    const read = await icebergRead({ tableUrl: pathToFileURL(tableDir).href });
    expect(read).toHaveLength(100);
    expect(new Set(read.map((r) => r.id)).size).toBe(100);
  });

  it('marks the old files DELETED with explicit sequence numbers and the new one ADDED', async () => {
    for (let roll = 0; roll < 3; roll++) await ingestAndRoll(roll * 10 + 1, 10);
    const table = createIcebergTable({ dir: tableDir });
    const old = table.liveFiles();
    const { snapshot } = compactIcebergTable(tableDir);
    expect(snapshot?.summary).toMatchObject({
      operation: 'replace',
      'added-data-files': '1',
      'deleted-data-files': '3',
      'total-records': '30',
      'total-data-files': '1',
    });
    expect(snapshot?.['sequence-number']).toBe(4);
    const list = decodeManifestList(readFileSync(fileURLToPath(snapshot!['manifest-list'])), 'list');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ added_files_count: 1, deleted_files_count: 3, existing_files_count: 0 });
    // Raw entries, before any inheritance is applied.
    const raw = decodeAvroContainer<{
      status: number;
      sequence_number: number | null;
      file_sequence_number: number | null;
      data_file: { file_path: string };
    }>(readFileSync(fileURLToPath(list[0]!.manifest_path))).records;
    const added = raw.filter((e) => e.status === 1);
    const deleted = raw.filter((e) => e.status === 2);
    expect(added).toHaveLength(1);
    expect(added[0]!.sequence_number).toBeNull();
    expect(
      deleted.map((e) => [e.data_file.file_path, e.sequence_number, e.file_sequence_number]).sort(),
    ).toEqual(old.map((f) => [f.file_path, f.sequenceNumber, f.fileSequenceNumber]).sort());
    expect(table.liveFiles()[0]?.sequenceNumber).toBe(4);
  });

  it('keeps appending after a compaction, and a second compaction folds the new files in', async () => {
    for (let roll = 0; roll < 3; roll++) await ingestAndRoll(roll * 10 + 1, 10);
    compactIcebergTable(tableDir);
    await ingestAndRoll(31, 10);
    await ingestAndRoll(41, 5);
    expect(await r2sql(SUMMARY)).toMatchObject([{ n: 45, seqs: (45 * 46) / 2 }]);
    expect(createIcebergTable({ dir: tableDir }).liveFiles()).toHaveLength(3);
    const second = compactIcebergTable(tableDir);
    expect(second.removed).toHaveLength(3);
    expect(await r2sql(SUMMARY)).toMatchObject([{ n: 45, seqs: (45 * 46) / 2 }]);
    expect(await icebergRead({ tableUrl: pathToFileURL(tableDir).href })).toHaveLength(45);
    expect(compactIcebergTable(tableDir).snapshot).toBeNull(); // one live file: nothing to do
  });
});

describe('compaction racing a writer', () => {
  it('keeps every row exactly once while another process appends snapshots', async () => {
    const race = await tempDir('dotdo-compaction-race-');
    const bucketDir = join(race.dir, 'r2', 'lake');
    const raceTable = catalogTableDir(bucketDir, 'analytics', 'events');
    const script = join(race.dir, 'writer.mts');
    const startAt = Date.now() + 1500;
    writeFileSync(
      script,
      `import { createCatalogSink } from ${JSON.stringify(join(ROOT, 'local/pipelines/index.ts'))};
import { eventRow } from ${JSON.stringify(join(ROOT, 'schemas/index.ts'))};
import { eventFixture } from ${JSON.stringify(join(ROOT, 'test/node/helpers.ts'))};
const sink = createCatalogSink({ stream: 'events', bucketDir: ${JSON.stringify(bucketDir)}, namespace: 'analytics', table: 'events', schema: eventRow });
while (Date.now() < ${startAt}) {}
for (let seq = 1; seq <= 60; seq++) sink.write([eventFixture(seq)], crypto.randomUUID());
`,
    );
    const writer = new Promise<void>((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('exit', (code) => (code === 0 ? done() : fail(new Error(stderr))));
    });
    let compactions = 0;
    let writing = true;
    void writer.finally(() => {
      writing = false;
    });
    while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 20));
    while (writing) {
      if (readCurrentMetadata(raceTable) && compactIcebergTable(raceTable).snapshot) compactions += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
    await writer;
    compactIcebergTable(raceTable);
    expect(compactions).toBeGreaterThan(0);
    const engine = await createDuckDbEngine({ lake: bucketDir });
    const { rows } = await engine.query<{ n: number; ids: number; seqs: number }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(seq) AS seqs FROM analytics.events',
    );
    engine.close();
    expect(rows).toEqual([{ n: 60, ids: 60, seqs: (60 * 61) / 2 }]);
    expect(createIcebergTable({ dir: raceTable }).liveFiles()).toHaveLength(1);
    await race.remove();
  }, 60_000);
});
