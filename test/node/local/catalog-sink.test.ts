import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { catalogTableDir, createIcebergTable } from '../../../lake/iceberg/index.ts';
import {
  createCatalogSink,
  createPipelinesStandIn,
  type PipelinesConfig,
} from '../../../local/pipelines/index.ts';
import { WriteAheadLog } from '../../../local/pipelines/write-ahead-log.ts';
import { eventRow } from '../../../schemas/index.ts';
import { eventFixture, tempDir } from '../helpers.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const catalogConfig = (dataDir: string, extra: Partial<PipelinesConfig> = {}): PipelinesConfig => ({
  dataDir,
  streams: { events: { table: 'events', sink: { kind: 'r2-data-catalog', namespace: 'analytics' } } },
  ...extra,
});
const tableDirOf = (dataDir: string) => catalogTableDir(join(dataDir, 'r2', 'lake'), 'analytics', 'events');
const rowsFrom = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => eventFixture(from + i));

/** Every seq in the table's current snapshot, read by DuckDB from the live files. */
async function seqsInTable(dataDir: string): Promise<number[]> {
  const live = createIcebergTable({ dir: tableDirOf(dataDir) }).liveFiles();
  if (live.length === 0) return [];
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  const list = live.map((f) => `'${f.localPath.replace(/'/g, "''")}'`).join(', ');
  const rows = (
    await connection.runAndReadAll(`SELECT seq FROM read_parquet([${list}]) ORDER BY seq`)
  ).getRowObjectsJson();
  connection.closeSync();
  return rows.map((r) => Number(r.seq));
}

/** A segment sealed by a roll that then died: the WAL holds it under the id its file was to get. */
function sealSegment(dataDir: string, records: unknown[], fileId = crypto.randomUUID()): string {
  const wal = new WriteAheadLog(join(dataDir, 'pipelines', 'wal'), 'events');
  wal.append(records);
  wal.seal(fileId);
  wal.close();
  return fileId;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('r2-data-catalog sink: write-ahead-log recovery', () => {
  it('commits a sealed segment whose roll died before writing anything, once', async () => {
    const temp = await tempDir('dotdo-catalog-');
    sealSegment(temp.dir, rowsFrom(1, 12));
    const pipelines = createPipelinesStandIn(catalogConfig(temp.dir));
    pipelines.close();
    expect(await seqsInTable(temp.dir)).toEqual(range(1, 12));
    expect(createIcebergTable({ dir: tableDirOf(temp.dir) }).current().metadata.snapshots).toHaveLength(1);
    await temp.remove();
  });

  it('rewrites and commits a data file that landed but was never committed', async () => {
    const temp = await tempDir('dotdo-catalog-');
    createPipelinesStandIn(catalogConfig(temp.dir)).close(); // the table exists, empty
    const fileId = sealSegment(temp.dir, rowsFrom(1, 8));
    const dataDir = join(tableDirOf(temp.dir), 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, `${fileId}.parquet`), 'PAR1 torn');
    writeFileSync(join(dataDir, `${fileId}.parquet.tmp`), 'half');
    const pipelines = createPipelinesStandIn(catalogConfig(temp.dir));
    pipelines.close();
    expect(await seqsInTable(temp.dir)).toEqual(range(1, 8));
    const live = createIcebergTable({ dir: tableDirOf(temp.dir) }).liveFiles();
    expect(live.map((f) => f.localPath)).toEqual([join(dataDir, `${fileId}.parquet`)]);
    await temp.remove();
  });

  it('does not commit a sealed segment twice when its snapshot was committed before the crash', async () => {
    const temp = await tempDir('dotdo-catalog-');
    const records = rowsFrom(1, 10);
    const fileId = sealSegment(temp.dir, records);
    // The roll committed its snapshot, then died before releasing the segment.
    createCatalogSink({
      stream: 'events',
      bucketDir: join(temp.dir, 'r2', 'lake'),
      namespace: 'analytics',
      table: 'events',
      schema: eventRow,
    }).write(records, fileId);
    const pipelines = createPipelinesStandIn(catalogConfig(temp.dir));
    expect(pipelines.stats().events?.files).toBe(0);
    pipelines.close();
    expect(await seqsInTable(temp.dir)).toEqual(range(1, 10));
    expect(createIcebergTable({ dir: tableDirOf(temp.dir) }).current().metadata.snapshots).toHaveLength(1);
    await temp.remove();
  });

  it('rolls acknowledged but unrolled records after a restart, once', async () => {
    const temp = await tempDir('dotdo-catalog-');
    const first = createPipelinesStandIn(catalogConfig(temp.dir));
    expect(first.ingest('events', JSON.stringify(rowsFrom(1, 5)), undefined).status).toBe(200);
    first.roll();
    expect(first.ingest('events', JSON.stringify(rowsFrom(6, 5)), undefined).status).toBe(200);
    // No close(): the process "dies" with 5 acknowledged records only in the WAL.
    const second = createPipelinesStandIn(catalogConfig(temp.dir));
    expect(second.stats().events?.buffered).toBe(5);
    second.close();
    expect(await seqsInTable(temp.dir)).toEqual(range(1, 10));
    await temp.remove();
  });

  it('after kill -9 during ingest and rolls, every acknowledged record is in the table exactly once', async () => {
    for (const killAfterMs of [150, 400, 700]) {
      const temp = await tempDir('dotdo-catalog-kill-');
      const script = join(temp.dir, 'child.mts');
      writeFileSync(
        script,
        `import { createPipelinesStandIn } from ${JSON.stringify(join(ROOT, 'local/pipelines/index.ts'))};
import { eventFixture } from ${JSON.stringify(join(ROOT, 'test/node/helpers.ts'))};
const config = ${JSON.stringify(catalogConfig(join(temp.dir, 'data'), { rollRows: 7 }))};
const pipelines = createPipelinesStandIn(config);
process.stdout.write('ready\\n');
for (let seq = 1; ; seq += 5) {
  const rows = Array.from({ length: 5 }, (_, i) => eventFixture(seq + i));
  const response = pipelines.ingest('events', JSON.stringify(rows), undefined);
  if (response.status !== 200) throw new Error(JSON.stringify(response));
  process.stdout.write('ack ' + (seq + 4) + '\\n');
}
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let acked = 0;
      let stderr = '';
      let buffered = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      await new Promise<void>((resolveKill, reject) => {
        child.on('exit', (code, signal) => {
          if (signal === 'SIGKILL') resolveKill();
          else reject(new Error(`child exited ${code} before the kill: ${stderr}`));
        });
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (!line.startsWith('ack ')) continue;
            // Timed from the first acknowledgement, not from start-up, which a loaded machine stretches.
            if (acked === 0) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
            acked = Number(line.slice(4));
          }
        });
      });
      expect(acked, `acknowledged records before the kill ${killAfterMs} ms after the first`).toBeGreaterThan(
        0,
      );
      const restarted = createPipelinesStandIn(catalogConfig(join(temp.dir, 'data')));
      restarted.close();
      const seqs = await seqsInTable(join(temp.dir, 'data'));
      expect(new Set(seqs).size, 'no record twice').toBe(seqs.length);
      // Everything acknowledged is present; at most the one batch in flight at the kill beyond it.
      expect(seqs.slice(0, acked)).toEqual(range(1, acked));
      expect(seqs.length - acked).toBeLessThanOrEqual(5);
      expect(seqs).toEqual(range(1, seqs.length));
      await temp.remove();
    }
  }, 60_000);
});

describe('r2-data-catalog sink: a failed roll', () => {
  it('still acknowledges durable records, counts the failure, and commits everything once on the next roll', async () => {
    const temp = await tempDir('dotdo-catalog-');
    const pipelines = createPipelinesStandIn(catalogConfig(temp.dir, { rollRows: 5 }));
    expect(pipelines.ingest('events', JSON.stringify(rowsFrom(1, 5)), undefined).status).toBe(200);
    const hint = join(tableDirOf(temp.dir), 'metadata', 'version-hint.text');
    const good = readFileSync(hint, 'utf8');
    writeFileSync(hint, 'garbage'); // every commit now fails
    // The size-triggered roll fails, but the records are in the write-ahead log: still a 200.
    expect(pipelines.ingest('events', JSON.stringify(rowsFrom(6, 5)), undefined).status).toBe(200);
    expect(pipelines.ingest('events', JSON.stringify(rowsFrom(11, 2)), undefined).status).toBe(200);
    expect(() => pipelines.roll()).toThrow(/version-hint.text: "garbage" is not a metadata version/);
    // Two failed attempts: the size-triggered roll and the explicit one.
    expect(pipelines.stats().events).toMatchObject({ rollFailures: 2, buffered: 7, files: 1 });
    expect(pipelines.stats().events?.lastRollError).toMatch(/garbage/);
    writeFileSync(hint, good);
    expect(pipelines.roll().map((f) => f.rows)).toEqual([5, 2]);
    expect(pipelines.stats().events).toMatchObject({ buffered: 0, files: 3 });
    pipelines.close();
    expect(await seqsInTable(temp.dir)).toEqual(range(1, 12));
    await temp.remove();
  });
});
