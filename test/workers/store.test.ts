import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bindNamespace, migrate, RecordInputError, record } from '../../ingest/index.ts';
import { createBranch } from '../../ingest/index.ts';
import { LOCAL_SCHEMA_VERSION } from '../../schemas/index.ts';

const inDo = <R>(name: string, fn: (state: DurableObjectState) => R | Promise<R>): Promise<R> =>
  runInDurableObject(env.STARTUP.getByName(name), (_instance, state) => {
    bindNamespace(state.storage, `https://${name}.example.com`);
    return fn(state);
  });

describe('local store inside a Durable Object', () => {
  it('migrates once, gated on the schema-version row, and keeps its incarnation id', async () => {
    await inDo('store-migrate', (state) => {
      const first = migrate(state.storage);
      expect(first.schemaVersion).toBe(LOCAL_SCHEMA_VERSION);
      const rows = state.storage.sql
        .exec<{ key: string; value: string }>('SELECT key, value FROM _dotdo_meta ORDER BY key')
        .toArray();
      expect(rows.find((r) => r.key === 'schema_version')?.value).toBe(String(LOCAL_SCHEMA_VERSION));
      const tables = state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name != 'sqlite_sequence' ORDER BY name",
        )
        .toArray()
        .map((r) => r.name);
      expect(tables).toEqual(['actions', 'branches', 'events', 'nouns', 'things', 'verbs']);
      expect(first.incarnation).toMatch(/^[0-9a-f-]{36}$/);
      expect(rows.find((r) => r.key === 'incarnation')?.value).toBe(first.incarnation);
    });
    // A new instance (as after eviction) runs the migration check again and finds nothing to do.
    await inDo('store-migrate', (state) => {
      const again = state.storage.sql
        .exec<{ value: string }>("SELECT value FROM _dotdo_meta WHERE key = 'incarnation'")
        .one();
      expect(migrate(state.storage).incarnation).toBe(again.value);
    });
  });

  it('appends a version per record and links each action to the version before it', async () => {
    await inDo('store-versions', (state) => {
      createBranch(state.storage, { name: 'experiment' });
      const a = record(state.storage, {
        verb: 'create',
        type: 'Startup',
        target: 'acme',
        data: { name: 'Acme' },
      });
      const b = record(state.storage, {
        verb: 'update',
        type: 'Startup',
        target: 'acme',
        data: { name: 'Acme Inc' },
      });
      const other = record(state.storage, { verb: 'create', type: 'Startup', target: 'zeta' });
      const c = record(state.storage, {
        verb: 'update',
        type: 'Startup',
        target: 'acme',
        branch: 'experiment',
        data: { x: 1 },
      });
      // The branch was forked before acme existed, so its first write has no previous version there.
      expect([a.previous, b.previous, other.previous, c.previous]).toEqual([null, a.version, null, null]);
      expect([a.seq, b.seq, other.seq, c.seq]).toEqual([1, 2, 3, 4]);
      const versions = state.storage.sql
        .exec<{ version: number; data: string }>(
          "SELECT version, data FROM things WHERE id = 'acme' AND branch IS NULL ORDER BY version",
        )
        .toArray();
      expect(versions.map((v) => JSON.parse(v.data).name)).toEqual(['Acme', 'Acme Inc']);
      const link = state.storage.sql
        .exec<{ input: number; output: number }>('SELECT input, output FROM actions WHERE id = ?', b.action)
        .one();
      expect(link).toEqual({ input: a.version, output: b.version });
      const verbs = state.storage.sql
        .exec<{ verb: string; event: string; inverse: string | null }>(
          'SELECT verb, event, inverse FROM verbs ORDER BY id',
        )
        .toArray();
      expect(verbs).toEqual([
        { verb: 'create', event: 'created', inverse: 'delete' },
        { verb: 'update', event: 'updated', inverse: null },
      ]);
    });
  });

  it('writes nothing when an input is rejected, and names the field', async () => {
    await inDo('store-reject', (state) => {
      record(state.storage, { verb: 'create', type: 'Startup', target: 'acme' });
      expect(() => record(state.storage, { verb: 'create', type: '', target: 'acme' })).toThrow(
        RecordInputError,
      );
      expect(() =>
        record(state.storage, { verb: 'create', type: 'Startup', target: 'acme', ts: 1.5 }),
      ).toThrow(/ts must be an integer/);
      // Fails inside the transaction (a verb that has no valid forms): everything rolls back.
      expect(() => record(state.storage, { verb: 'Bad Verb', type: 'Idea', target: 'idea-1' })).toThrow(
        /imperative/,
      );
      const counts = state.storage.sql
        .exec<{ things: number; actions: number; events: number; nouns: number }>(
          'SELECT (SELECT count(*) FROM things) AS things, (SELECT count(*) FROM actions) AS actions, (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM nouns) AS nouns',
        )
        .one();
      expect(counts).toEqual({ things: 1, actions: 1, events: 1, nouns: 1 });
      // The next event still gets the next seq: no gap from the failed attempts.
      expect(record(state.storage, { verb: 'update', type: 'Startup', target: 'acme' }).seq).toBe(2);
    });
  });

  it('writes nothing when the single INSERT of a record fails, and the next record takes the same ids', async () => {
    await inDo('store-atomic', (state) => {
      const sql = state.storage.sql;
      const first = record(state.storage, {
        verb: 'create',
        type: 'Startup',
        target: 'acme',
        data: { n: 1 },
      });
      // Occupy the next event id, so the record view's trigger fails on its last insert.
      sql.exec("INSERT INTO events (id, action, row) VALUES (?, NULL, '{}')", first.seq + 1);
      const count = () =>
        sql
          .exec<{ things: number; actions: number; events: number }>(
            'SELECT (SELECT count(*) FROM things) AS things, (SELECT count(*) FROM actions) AS actions, (SELECT count(*) FROM events) AS events',
          )
          .one();
      expect(() =>
        record(state.storage, { verb: 'create', type: 'Startup', target: 'acme', data: { n: 2 } }),
      ).toThrow(/UNIQUE|PRIMARY KEY/);
      expect(count()).toEqual({ things: 1, actions: 1, events: 2 });
      sql.exec('DELETE FROM events WHERE id = ?', first.seq + 1);
      const second = record(state.storage, {
        verb: 'create',
        type: 'Startup',
        target: 'acme',
        data: { n: 2 },
      });
      expect(second).toMatchObject({
        seq: first.seq + 1,
        action: first.action + 1,
        version: first.version! + 1,
        previous: first.version,
      });
      expect(count()).toEqual({ things: 2, actions: 2, events: 2 });
    });
  });

  it('reads the common fields of stored rows through event_log', async () => {
    await inDo('store-log', (state) => {
      const a = record(state.storage, {
        verb: 'create',
        type: 'Startup',
        target: 'acme',
        ts: 1_764_000_001_000_000,
      });
      const b = record(state.storage, {
        verb: 'update',
        type: 'Startup',
        target: 'acme',
        ts: 1_764_000_002_000_000,
      });
      const log = state.storage.sql
        .exec('SELECT seq, action, event, target, ts, prev_hash, hash FROM event_log ORDER BY seq')
        .toArray();
      expect(log).toEqual([
        {
          seq: a.seq,
          action: a.action,
          event: 'Startup.created',
          target: 'https://store-log.example.com/acme',
          ts: 1_764_000_001_000_000,
          prev_hash: null,
          hash: a.hash,
        },
        {
          seq: b.seq,
          action: b.action,
          event: 'Startup.updated',
          target: 'https://store-log.example.com/acme',
          ts: 1_764_000_002_000_000,
          prev_hash: a.hash,
          hash: b.hash,
        },
      ]);
    });
  });

  it('binds a storage to one namespace', async () => {
    await inDo('store-ns', (state) => {
      expect(bindNamespace(state.storage, 'https://store-ns.example.com/')).toBe(
        'https://store-ns.example.com',
      );
      expect(() => bindNamespace(state.storage, 'https://b.example.com')).toThrow(
        /belongs to namespace https:\/\/store-ns.example.com/,
      );
      expect(() => bindNamespace(state.storage, 'store-ns')).toThrow(/must be an absolute URL/);
    });
  });
});
