import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  bindNamespace,
  createBranch,
  listBranches,
  RefNotFoundError,
  record,
  resolveRef,
} from '../../ingest/index.ts';

const day = (date: string, hour = 12): number =>
  Date.parse(`${date}T${String(hour).padStart(2, '0')}:00:00Z`) * 1000;

describe('resolving refs against DO SQLite', () => {
  it('resolves every form, on local paths and full URLs, with branches forked from a version', async () => {
    await runInDurableObject(env.STARTUP.getByName('refs'), (_instance, state) => {
      const ns = bindNamespace(state.storage, 'https://startups.studio');
      const s = state.storage;
      const v1 = record(s, {
        verb: 'create',
        type: 'Startup',
        target: 'acme',
        data: { n: 1 },
        ts: day('2024-01-07'),
      }).version!;
      const v2 = record(s, {
        verb: 'update',
        type: 'Startup',
        target: 'acme',
        data: { n: 2 },
        ts: day('2024-01-08', 9),
      }).version!;
      record(s, { verb: 'create', type: 'Startup', target: 'zeta', data: {}, ts: day('2024-01-08', 10) });
      createBranch(s, { name: 'experiment' });
      const v4 = record(s, {
        verb: 'update',
        type: 'Startup',
        target: 'acme',
        data: { n: 3 },
        ts: day('2024-01-09'),
      }).version!;
      const b1 = record(s, {
        verb: 'update',
        type: 'Startup',
        target: 'acme',
        branch: 'experiment',
        data: { n: 'x' },
        ts: day('2024-01-10'),
      }).version!;

      const cases: [string, number][] = [
        ['acme', v4],
        ['acme@main', v4],
        ['acme@experiment', b1],
        ['zeta@experiment', 3], // never written on the branch: the main version at the fork point
        [`acme@v${v2}`, v2],
        ['acme@~1', v2],
        ['acme@~2', v1],
        ['acme@2024-01-08', v2],
        ['acme@2024-01-07', v1],
        [`acme?v=${v1}`, v1],
        ['acme?v=2024-01-08T08:59:59Z', v1],
        ['acme?v=2024-01-08T09:00:00Z', v2],
        [`${ns}/acme`, v4],
        [`${ns}/acme@experiment`, b1],
        [`${ns}/acme@v${v1}`, v1],
        [`${ns}/acme?v=2024-01-09T00:00:00Z`, v2],
      ];
      for (const [ref, version] of cases) expect([ref, resolveRef(s, ref).version]).toEqual([ref, version]);
      expect(resolveRef(s, 'acme@experiment')).toMatchObject({ branch: 'experiment', data: { n: 'x' } });
      expect(listBranches(s)).toMatchObject([{ name: 'experiment', head: b1, base: 3, forkedFrom: 'main' }]);

      for (const missing of [
        'acme@v999',
        'acme@~9',
        'acme@2023-12-31',
        'nobody',
        'https://other.studio/acme',
      ]) {
        expect(() => resolveRef(s, missing)).toThrow(RefNotFoundError);
      }
      expect(() => resolveRef(s, `acme@v${v4}`.replace('acme', 'zeta'))).toThrow(
        /names no version of "zeta"/,
      );
      expect(() => resolveRef(s, 'acme@nope')).toThrow(/no branch "nope"/);
      expect(() => createBranch(s, { name: 'v2' })).toThrow(/neither "main" nor v<digits>/);
      expect(() => createBranch(s, { name: 'experiment' })).toThrow(/already exists/);
      expect(() => record(s, { verb: 'update', type: 'Startup', target: 'acme', branch: 'ghost' })).toThrow(
        /no branch "ghost"/,
      );
    });
  });
});
