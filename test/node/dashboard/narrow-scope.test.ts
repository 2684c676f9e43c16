import { describe, expect, it } from 'vitest';
import { builtInRegistry, createQueryHandler, hashToken } from '../../../query/api/index.ts';

// The namespace filter the dashboard sends (X-Namespace) narrows within the token's scope, never beyond.

const A = 'https://a.scope.test';
const B = 'https://b.scope.test';
const seen: string[] = [];
const engine = {
  async query(sql: string) {
    seen.push(sql);
    return { schema: [{ name: 'ns', type: 'VARCHAR' }], rows: [] };
  },
};

async function handler() {
  return createQueryHandler({
    registry: builtInRegistry(),
    engine,
    tokens: [
      { sha256: await hashToken('both'), namespaces: [A, B] },
      { sha256: await hashToken('wild'), namespaces: ['https://*.scope.test'] },
    ],
    cache: false,
    freshness: false,
  });
}

const call = async (token: string, namespace?: string) => {
  const api = await handler();
  seen.length = 0;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-include-sql': 'true' };
  if (namespace !== undefined) headers['x-namespace'] = namespace;
  const response = await api(new Request('http://api.test/views/audit_completeness', { headers }));
  return { status: response.status, body: (await response.json()) as any, sql: seen.join('\n') };
};

describe('X-Namespace', () => {
  it('narrows a token over two namespaces to the one named', async () => {
    const both = await call('both');
    expect(both.sql).toContain(`'${A}', '${B}'`);
    const one = await call('both', A);
    expect(one.status).toBe(200);
    expect(one.sql).toContain(`ns IN ('${A}')`);
    expect(one.sql).not.toContain(B);
    expect(one.body.sql).toContain(`ns IN ('${A}')`);
  });

  it('narrows a host pattern to one of its hosts', async () => {
    const one = await call('wild', 'https://c.scope.test');
    expect(one.status).toBe(200);
    expect(one.sql).toContain(`ns IN ('https://c.scope.test')`);
  });

  it('refuses a namespace outside the scope, a pattern or junk, and runs nothing', async () => {
    for (const [namespace, status] of [
      ['https://evil.test', 403],
      ['https://a.scope.test.evil.test', 403],
      ['*', 400],
      ['https://*.scope.test', 400],
      ['not a url', 400],
    ] as const) {
      const answer = await call(namespace === 'https://evil.test' ? 'both' : 'wild', namespace);
      expect(answer.status, namespace).toBe(status);
      expect(answer.body.error.field).toBe('x-namespace');
      expect(answer.sql).toBe('');
    }
  });
});
