import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../local/pipelines/ingest-faults.ts';
import { eventRow, eventRows, tempDir } from '../fixtures/events.ts';
import { type RawAnswer, type RawRequest, rawRequest } from '../fixtures/raw-http.ts';
import { killStandInProcesses, startStandInProcess, stopProcess } from '../fixtures/stand-in-process.ts';

const TOKEN = 'hostile-secret';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const REQUESTS = 2_000;
const CONCURRENCY = 16;
const ROOT = new URL('../../..', import.meta.url).pathname;

afterAll(killStandInProcesses);

/** mulberry32 (the stand-in's own seeded generator): the same hostile suite on every run. */
const random = seededRandom;

const nest = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

/** A hostile request of some kind; `good` counts the records a valid one carries. */
interface Hostile extends RawRequest {
  kind: string;
  good?: number;
}

function fuzzValue(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * 9);
  if (depth > 3 && pick > 5) return null;
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return Math.floor(next() * 2 ** 60) * (next() < 0.5 ? -1 : 1);
    case 3:
      return next() * 1e308;
    case 4:
      return String.fromCharCode(
        ...Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 0xffff)),
      );
    case 5:
      return 'https://acme.startups.studio/x'.slice(0, Math.floor(next() * 30));
    case 6:
      return Array.from({ length: Math.floor(next() * 4) }, () => fuzzValue(next, depth + 1));
    default: {
      const keys = ['id', 'seq', 'ts', 'ns', 'data', 'type', 'verb', 'x', '__proto__', 'constructor', ''];
      return Object.fromEntries(
        Array.from({ length: Math.floor(next() * 6) }, () => [
          keys[Math.floor(next() * keys.length)]!,
          fuzzValue(next, depth + 1),
        ]),
      );
    }
  }
}

function mutated(next: () => number, seq: number): Record<string, unknown> {
  const row: Record<string, unknown> = { ...eventRow(seq) };
  const fields = Object.keys(row);
  const field = fields[Math.floor(next() * fields.length)]!;
  const how = Math.floor(next() * 4);
  if (how === 0) delete row[field];
  else if (how === 1) row[field] = fuzzValue(next);
  else if (how === 2) row[`extra_${Math.floor(next() * 100)}`] = 1;
  else row[field] = 'x'.repeat(Math.floor(next() * 200_000));
  return row;
}

const PATH_TRICKS = [
  '/streams/%zz',
  '/streams/%',
  '/streams/%E0%A4%A',
  '/streams/..',
  '/streams/.',
  '/streams/%2e%2e',
  '/streams/..%2f_admin%2froll',
  '/streams/../_admin/roll',
  '/streams/../../../../etc/passwd',
  '/streams//events',
  '/streams/events/',
  '/streams/events/..',
  '/streams/EVENTS',
  '/streams/events%00',
  '/streams/events%2fx',
  `/streams/${'a'.repeat(4000)}`,
  '/%2e%2e/%2e%2e/etc/passwd',
  '//streams/events',
  '/streams/events?stream=../../x', // a query string: ingests into events, as it should
  '/api/v1/accounts/local/r2-sql/query/%zz',
  '/api/v1/accounts/local/r2-sql/query/..',
  '/_admin/%zz',
  '/_admin/../streams/events',
];

/** The hostile suite: fuzzed and hand-picked bodies, bad encodings and path tricks, some valid requests. */
function hostileSuite(): Hostile[] {
  const next = random(11);
  const suite: Hostile[] = [];
  let seq = 1;
  const body = (kind: string, text: string | Buffer, path = '/streams/events'): Hostile => ({
    kind,
    path,
    headers: AUTH,
    body: text,
  });
  // The shapes that took the server down before, a few times each, spread through the run.
  const heavy: Hostile[] = [];
  const empties = (n: number) => `[${Array.from({ length: n }, () => '{}').join(',')}]`;
  for (let i = 0; i < 3; i++) {
    heavy.push(body('100,000 × {}', empties(100_000)));
    heavy.push(body('349,000 × {} (1 MB)', empties(349_000)));
    heavy.push(body('1 MB invalid value', JSON.stringify([{ ...eventRow(1), id: 'x'.repeat(1_000_000) }])));
    heavy.push(body('1 MB field name', JSON.stringify([{ [`k${'y'.repeat(1_000_000)}`]: 1 }])));
    heavy.push(body('record nested 2,500 deep', `[{"data":${nest(2_500, '[', ']')}}]`));
    heavy.push(body('record nested 100,000 deep', `[{"data":${nest(100_000, '{"a":', '}')}}]`));
    heavy.push(body('array nested 300,000 deep', nest(300_000, '[', ']')));
    heavy.push(body('1.5 MB body', `[${'0,'.repeat(750_000)}0]`));
    heavy.push(
      body(
        'half valid, half {}',
        JSON.stringify([...eventRows(1, 500), ...Array.from({ length: 500 }, () => ({}))]),
      ),
    );
  }
  while (suite.length < REQUESTS - heavy.length) {
    const pick = Math.floor(next() * 10);
    if (pick === 0) {
      const rows = eventRows(seq, seq + 4);
      seq += 5;
      suite.push({ ...body('valid', JSON.stringify(rows)), good: rows.length });
    } else if (pick === 1) {
      suite.push(
        body(
          'fuzzed JSON',
          JSON.stringify(Array.from({ length: 1 + Math.floor(next() * 50) }, () => fuzzValue(next))),
        ),
      );
    } else if (pick === 2) {
      suite.push(
        body(
          'mutated records',
          JSON.stringify(Array.from({ length: 1 + Math.floor(next() * 20) }, () => mutated(next, seq++))),
        ),
      );
    } else if (pick === 3) {
      const text = JSON.stringify(eventRows(seq, seq + 2));
      suite.push(body('truncated JSON', text.slice(0, Math.floor(next() * text.length))));
    } else if (pick === 4) {
      const bytes = Buffer.from(
        Array.from({ length: Math.floor(next() * 2000) }, () => Math.floor(next() * 256)),
      );
      suite.push(body('random bytes', bytes));
    } else if (pick === 5) {
      const bad = Buffer.concat([
        Buffer.from('[{"data":"'),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}]'),
      ]);
      suite.push(body('invalid UTF-8', bad));
    } else if (pick === 6) {
      suite.push(body('not an array', JSON.stringify(fuzzValue(next)) ?? 'null'));
    } else if (pick === 7) {
      const path = PATH_TRICKS[Math.floor(next() * PATH_TRICKS.length)]!;
      suite.push(body(`path ${path.slice(0, 40)}`, JSON.stringify(eventRows(1, 1)), path));
    } else if (pick === 8) {
      const headers = (
        [
          {},
          { authorization: 'Bearer nope' },
          { authorization: 'Basic Zm9vOmJhcg==' },
          { authorization: `Bearer  ${TOKEN}` },
        ] as Record<string, string>[]
      )[Math.floor(next() * 4)]!;
      suite.push({
        kind: 'bad token',
        path: '/streams/events',
        headers,
        body: JSON.stringify(eventRows(1, 1)),
      });
    } else {
      const method = ['GET', 'PUT', 'DELETE', 'PATCH'][Math.floor(next() * 4)]!;
      suite.push({ kind: `method ${method}`, method, path: '/streams/events', headers: AUTH, body: '[]' });
    }
  }
  for (const [i, request] of heavy.entries())
    suite.splice(Math.floor(((i + 0.5) * suite.length) / heavy.length), 0, request);
  return suite;
}

function sizeOf(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

describe('2,000 hostile ingest requests against a stand-in process', () => {
  it('answer each within 5 s and below 500, write nothing outside the data dir, and keep rejects small', async () => {
    const { dir, remove } = await tempDir('dotdo-hostile-');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const rootBefore = readdirSync(ROOT).sort();
    // Rejects files large enough not to rotate during the run, so their size measures amplification.
    const stand = await startStandInProcess(dataDir, {
      token: TOKEN,
      pipelines: { rollIntervalMs: 3_600_000, rejectsFileBytes: 2 ** 30 },
    });
    try {
      const suite = hostileSuite();
      const answers: (RawAnswer & { request: Hostile })[] = [];
      let next = 0;
      let health = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < suite.length) {
            const request = suite[next++]!;
            answers.push({ ...(await rawRequest(stand.url, request)), request });
          }
        }),
      );
      // The server is still there, and healthy.
      const healthz = await rawRequest(stand.url, { method: 'GET', path: '/healthz' });
      if (healthz.status === 200) health += 1;
      expect(health).toBe(1);
      expect(stand.child.exitCode).toBeNull();
      expect(stand.stderr()).not.toMatch(/fatal/);

      const serverErrors = answers.filter((a) => a.status >= 500);
      expect(
        serverErrors.map((a) => `${a.request.kind}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`),
      ).toEqual([]);
      const slow = answers.filter((a) => a.ms > 5_000);
      expect(slow.map((a) => `${a.request.kind}: ${a.ms.toFixed(0)} ms`)).toEqual([]);
      // Every failure is structured: the ingest shape with a code, or the server's error object.
      const unstructured = answers.filter(
        (a) =>
          a.status !== 200 &&
          !(typeof a.body?.code === 'string' && a.body.success === false) &&
          !(typeof a.body?.error?.code === 'string') &&
          !(Array.isArray(a.body?.errors) && typeof a.body.errors[0]?.code === 'number'),
      );
      expect(unstructured.map((a) => `${a.request.kind}: ${JSON.stringify(a.body).slice(0, 200)}`)).toEqual(
        [],
      );
      // A refusal never echoes a huge value.
      expect(Math.max(...answers.map((a) => JSON.stringify(a.body).length))).toBeLessThan(64 * 1024);
      // Path tricks never reach a stream or an admin route (a query string is not part of the path).
      const through = answers.filter(
        (a) => a.request.kind.startsWith('path ') && !a.request.path.includes('?') && a.status < 400,
      );
      expect(through.map((a) => `${a.request.path}: ${a.status}`)).toEqual([]);

      const good = answers.filter((a) => a.request.good);
      expect(good.every((a) => a.status === 200)).toBe(true);
      const stats = await rawRequest(stand.url, { method: 'GET', path: '/_admin/stats', headers: AUTH });
      // The counters count exactly what was acknowledged (a mutation can leave a record valid).
      const acknowledged = answers.filter((a) => a.status === 200);
      expect(stats.body.events.accepted).toBe(acknowledged.reduce((n, a) => n + a.body.result.committed, 0));
      expect(stats.body.events.accepted).toBeGreaterThanOrEqual(
        good.reduce((n, a) => n + a.request.good!, 0),
      );

      const mismatched = answers.filter((a) => a.body?.code === 'schema_mismatch');
      expect(mismatched.length).toBeGreaterThan(300);
      const rejectedBytes = mismatched.reduce((n, a) => n + Buffer.byteLength(a.request.body!), 0);
      const rejectsBytes = sizeOf(join(dataDir, 'pipelines', 'rejects'));
      expect(rejectsBytes).toBeGreaterThan(0);
      expect(rejectsBytes).toBeLessThanOrEqual(2 * rejectedBytes);
      console.info(
        `hostile ingest: ${mismatched.length} schema refusals, ${(rejectedBytes / 1e6).toFixed(1)} MB refused, ${(rejectsBytes / 1e6).toFixed(1)} MB of rejects (${(rejectsBytes / rejectedBytes).toFixed(2)}×), slowest ${Math.max(...answers.map((a) => a.ms)).toFixed(0)} ms`,
      );

      // Nothing written outside the data directory: the temp dir holds only it, the checkout is unchanged.
      expect(readdirSync(dir)).toEqual(['data']);
      expect(readdirSync(ROOT).sort()).toEqual(rootBefore);
      expect(['pipelines', 'r2']).toEqual(expect.arrayContaining(readdirSync(dataDir)));
      // (tmp: the pipelines' staging space for fanning the events stream out to its sinks)
      expect(['rejects', 'tmp', 'wal']).toEqual(
        expect.arrayContaining(readdirSync(join(dataDir, 'pipelines'))),
      );
      // Rejects only under the stream's own name (no path from a request became a file name).
      expect(readdirSync(join(dataDir, 'pipelines', 'rejects'))).toEqual(['events.ndjson']);
    } finally {
      await stopProcess(stand.child, 'SIGKILL');
      await remove();
    }
  }, 120_000);
});
