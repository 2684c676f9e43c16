import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.ts';
import { parseReplaySource, replay } from '../../../jobs/replay/index.ts';
import { tempDir } from '../helpers.ts';
import { queryLake, serve } from './replay-fixtures.ts';

let temp: Awaited<ReturnType<typeof tempDir>>;
const ROOT = new URL('../../..', import.meta.url).pathname;

beforeAll(async () => {
  temp = await tempDir('dotdo-replay-hostile-');
});
afterAll(async () => {
  await temp.remove();
});

const listing = (keys: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>lake</Name><IsTruncated>false</IsTruncated>${keys
    .map((k) => `<Contents><Key>${k}</Key><Size>1000</Size><ETag>"x"</ETag></Contents>`)
    .join('')}</ListBucketResult>`;

const s3Credentials = (endpoint: string) => ({ endpoint, accessKeyId: 'k', secretAccessKey: 's' });

/** Every file under the temp dir, to show nothing landed where it should not. */
const everything = () => readdirSync(temp.dir, { recursive: true }).map(String).sort();

describe('replay refuses hostile input with clear errors and writes nothing outside --to', () => {
  it('refuses bad sources before touching the target', async () => {
    const bad: [string, RegExp][] = [
      ['ftp://example.com/lake', /use a directory, s3:\/\/bucket\/prefix or an http\(s\):\/\/ catalog URI/],
      ['s3://', /is not a bucket name/],
      ['s3://UPPER/prefix', /is not a bucket name/],
      ['s3://lake/a/../../b', /may not have "\." or "\.\." segments/],
      ['http://user:pw@127.0.0.1/catalog', /no query, fragment or credentials/],
      ['http://[::1', /not a valid URL/],
    ];
    for (const [source, message] of bad) {
      expect(() => parseReplaySource(source), source).toThrow(message);
      await expect(replay({ source, to: join(temp.dir, 'never') }), source).rejects.toMatchObject({
        code: 'invalid_source',
      });
    }
    await expect(replay({ source: 's3://lake/x', to: join(temp.dir, 'never') })).rejects.toThrow(
      /no S3 endpoint: set R2_ENDPOINT/,
    );
    expect(existsSync(join(temp.dir, 'never'))).toBe(false);
  });

  it('refuses a listing that names keys with "..", outside the prefix, or absolute', async () => {
    for (const keys of [
      ['events/../../evil.parquet'],
      ['/etc/evil.parquet'],
      ['events/a.parquet', 'events//b.parquet'],
    ]) {
      let gets = 0;
      const server = await serve((request, response) => {
        if (request.url?.includes('list-type=2')) return response.end(listing(keys));
        gets++;
        response.end('x'.repeat(1000));
      });
      const to = join(temp.dir, 'listing');
      await expect(
        replay({ source: 's3://lake/', to, credentials: s3Credentials(server.url) }),
        keys.join(),
      ).rejects.toMatchObject({
        code: 'unsafe_key',
        message: expect.stringMatching(/must stay inside the target/),
      });
      expect(gets).toBe(0);
      await server.close();
    }
    const server = await serve((_request, response) => response.end(listing(['other/a.parquet'])));
    await expect(
      replay({
        source: 's3://lake/prod',
        to: join(temp.dir, 'listing'),
        credentials: s3Credentials(server.url),
      }),
    ).rejects.toMatchObject({ code: 'unsafe_key' });
    await server.close();
    expect(everything().some((f) => f.includes('evil') || f.includes('listing'))).toBe(false);
  });

  it('refuses catalog metadata that names files outside its table, and table names that are not identifiers', async () => {
    const table = (name: string, manifestList: string) => ({
      'metadata-location': 's3://lake/__r2_data_catalog/a/e/metadata/v1.metadata.json',
      metadata: {
        'format-version': 2,
        location: 's3://lake/__r2_data_catalog/a/e',
        'current-snapshot-id': 1,
        snapshots: [{ 'snapshot-id': 1, 'manifest-list': manifestList, summary: { operation: 'append' } }],
        schemas: [],
        name,
      },
    });
    for (const [name, manifestList, message] of [
      ['e', 's3://lake/__r2_data_catalog/a/e/../../../etc/passwd', /must stay inside the target/],
      ['e', 's3://other/secret.avro', /outside the table's location/],
      ['..', 's3://lake/__r2_data_catalog/a/e/metadata/l.avro', /not a plain identifier/],
    ] as const) {
      const server = await serve((request, response) => {
        const path = request.url!.split('?')[0]!;
        response.setHeader('content-type', 'application/json');
        if (path.endsWith('/v1/config'))
          return response.end(
            JSON.stringify({ overrides: { prefix: 'lake', 's3.endpoint': 'http://127.0.0.1:9/r2' } }),
          );
        if (path.endsWith('/namespaces')) return response.end(JSON.stringify({ namespaces: [['a']] }));
        if (path.endsWith('/tables'))
          return response.end(JSON.stringify({ identifiers: [{ namespace: ['a'], name }] }));
        response.end(JSON.stringify(table(name, manifestList)));
      });
      await expect(
        replay({ source: `${server.url}/acct/lake`, to: join(temp.dir, 'meta') }),
        manifestList,
      ).rejects.toThrow(message);
      await server.close();
    }
    expect(existsSync(join(temp.dir, 'meta'))).toBe(false);
  });

  it('times out on a server that stalls, before its headers or in the middle of a file', async () => {
    const silent = await serve(() => {});
    const started = performance.now();
    await expect(
      replay({ source: `${silent.url}/acct/lake`, to: join(temp.dir, 'stall'), idleMs: 300 }),
    ).rejects.toMatchObject({ code: 'timeout' });
    expect(performance.now() - started).toBeLessThan(5_000);
    await silent.close();

    const midway = await serve((request, response) => {
      if (request.url?.includes('list-type=2')) return response.end(listing(['events/a.parquet']));
      response.writeHead(200, { 'content-length': 1000 });
      response.write('x'.repeat(10)); // and then nothing
    });
    const to = join(temp.dir, 'stall');
    await expect(
      replay({ source: 's3://lake/', to, credentials: s3Credentials(midway.url), idleMs: 300, attempts: 2 }),
    ).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/stalled.*gave up after 2 attempts/),
    });
    await midway.close();
    expect(
      readdirSync(to, { recursive: true })
        .map(String)
        .filter((f) => f.startsWith('events')),
    ).toEqual(['events']);
  });

  it('the CLI validates its flags, and replays a directory with plain progress lines under CI', async () => {
    const source = join(temp.dir, 'src');
    mkdirSync(join(source, 'events', 'day=1'), { recursive: true });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    for (const part of [1, 2, 3]) {
      const path = join(source, 'events', 'day=1', `${part}.parquet`).replace(/'/g, "''");
      await db.run(
        `COPY (SELECT ${part} * 1000 + range AS seq, 'e' || range AS id FROM range(100)) TO '${path}' (FORMAT parquet)`,
      );
    }
    db.closeSync();
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['cli/bin.mjs', 'replay', ...args], {
          cwd: ROOT,
          env: { ...process.env, CI: 'true' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(
        await main(['replay', '--to', join(temp.dir, 'cli'), '--concurrency', '0', '--timeout', 'soon']),
      ).toBe(2);
      expect(await main(['replay', '--source', 'gopher://x', '--to', join(temp.dir, 'cli')])).toBe(2);
      const printed = errors.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toMatch(/--concurrency: .*>=1/);
      expect(printed).toMatch(/--timeout: /);
      expect(printed).toMatch(/--source: required/);
      expect(printed).toMatch(/--source: use a directory, s3:\/\/bucket\/prefix/);
    } finally {
      errors.mockRestore();
    }
    expect(existsSync(join(temp.dir, 'cli'))).toBe(false);
    const ok = await run(['--source', source, '--to', join(temp.dir, 'cli')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/^files 3\/3 .*B\/s {2}ETA 0s\n$/m);
    expect(ok.stderr).not.toContain('\r');
    expect(ok.stdout).toMatch(/events \(r2\): 3 files/);
    expect(ok.stdout).toMatch(/3 fetched, 0 already there/);
    const sql = 'SELECT count(*) AS n, sum(seq) AS s FROM analytics.events';
    expect(await queryLake(join(temp.dir, 'cli'), sql)).toEqual(await queryLake(source, sql));
  });
});
