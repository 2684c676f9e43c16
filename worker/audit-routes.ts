import { z } from 'zod';
import { createCheckpointSigner } from '../ingest/index.ts';
import { verifyLake } from '../jobs/verify/index.ts';
import type { AuditPublicKey } from '../lake/chain/index.ts';
import { namespaceInScope, type TokenScope } from '../query/api/index.ts';
import { errorResponse } from './error-response.ts';
import { lakeEngine } from './lake-queries.ts';
import { tokenScopeOf } from './query-token-scope.ts';
import type { Env } from './startup.ts';

/** Where the scheduled verify keeps its newest result, in the lake bucket (outside every table). */
export const AUDIT_HEALTH_KEY = '_audit/health.json';
/** How far back the scheduled verify looks (events and checkpoints of the last day). */
const WINDOW_MS = 24 * 3600 * 1000;

const publicKeyList = z.array(
  z.object({
    kid: z.string().min(1),
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().min(40),
  }),
);

/**
 * The published checkpoint-signing public keys: the current key's (derived from AUDIT_SIGNING_KEY)
 * and every earlier one still listed in AUDIT_PUBLIC_KEYS, so checkpoints signed before a rotation
 * keep verifying by their key id.
 *
 * @example
 * ```ts
 * const keys = await auditPublicKeys(env); // [{ kid: 'k2026', kty: 'OKP', crv: 'Ed25519', x: '…' }]
 * ```
 */
export async function auditPublicKeys(env: Env): Promise<AuditPublicKey[]> {
  const keys: AuditPublicKey[] = [];
  if (env.AUDIT_SIGNING_KEY)
    keys.push((await createCheckpointSigner(env.AUDIT_SIGNING_KEY, env.AUDIT_KEY_ID || undefined)).publicKey);
  if (env.AUDIT_PUBLIC_KEYS) {
    const listed = publicKeyList.safeParse(JSON.parse(env.AUDIT_PUBLIC_KEYS));
    if (!listed.success) throw new Error('AUDIT_PUBLIC_KEYS must be a JSON array of Ed25519 JWKs with kid');
    for (const key of listed.data) if (!keys.some((k) => k.kid === key.kid)) keys.push(key);
  }
  return keys;
}

/**
 * The scheduled verify: checks the last day of the lake through R2 SQL (re-deliveries allowed — they
 * are the steady state of at-least-once delivery) and records the result in the lake bucket, where
 * `GET /audit/health` reads it.
 *
 * @example
 * ```ts
 * export default { scheduled: (_c, env, ctx) => ctx.waitUntil(runScheduledVerify(env)) };
 * ```
 */
export async function runScheduledVerify(env: Env, now = Date.now()): Promise<{ ok: boolean }> {
  let record: Record<string, unknown>;
  try {
    const report = await verifyLake(lakeEngine(env), {
      from: new Date(now - WINDOW_MS),
      publicKeys: await auditPublicKeys(env),
      allowDuplicates: true,
      maxProblems: 100,
    });
    record = { ...report, signing: Boolean(env.AUDIT_SIGNING_KEY) };
  } catch (error) {
    record = { ok: false, checkedAt: new Date(now).toISOString(), error: (error as Error).message };
  }
  await env.LAKE.put(AUDIT_HEALTH_KEY, JSON.stringify(record), {
    httpMetadata: { contentType: 'application/json' },
  });
  return { ok: record.ok === true };
}

/**
 * `GET /audit/keys` (the public keys, for `verify --public-key`, open to anyone) and `GET
 * /audit/health` (the last scheduled verify's report, behind the query tokens: a tenant's token sees
 * its own namespaces' problems only); null for any other path.
 *
 * @example
 * ```ts
 * const answered = await handleAuditRoute(request, env);
 * if (answered) return answered;
 * ```
 */
export async function handleAuditRoute(request: Request, env: Env): Promise<Response | null> {
  const { pathname } = new URL(request.url);
  if (pathname !== '/audit/keys' && pathname !== '/audit/health') return null;
  if (request.method !== 'GET')
    return errorResponse(405, { code: 'method_not_allowed', message: `${pathname} takes GET` });
  if (pathname === '/audit/keys') {
    const keys = await auditPublicKeys(env);
    return Response.json({
      keys,
      signing: Boolean(env.AUDIT_SIGNING_KEY),
      ...(env.AUDIT_SIGNING_KEY ? {} : { message: 'no AUDIT_SIGNING_KEY: checkpoints are sent unsigned' }),
    });
  }
  const scope = await tokenScopeOf(request, env);
  if (scope instanceof Response) return scope;
  const stored = await env.LAKE.get(AUDIT_HEALTH_KEY);
  if (!stored) return Response.json({ ran: false, message: 'the scheduled verify has not run yet' });
  const report = (await stored.json()) as Record<string, unknown>;
  return Response.json(scope.admin ? report : healthInScope(report, scope), {
    headers: { 'cache-control': 'private, no-store' },
  });
}

type StoredProblem = { ns?: unknown; severity?: unknown };

/**
 * The last verify as a tenant may see it: only the problems of its own namespaces, and no lake-wide
 * counts (they would tell how many namespaces and events other tenants have).
 */
function healthInScope(report: Record<string, unknown>, scope: TokenScope): Record<string, unknown> {
  const all = Array.isArray(report.problems) ? (report.problems as StoredProblem[]) : [];
  const problems = all.filter((p) => typeof p.ns === 'string' && namespaceInScope(scope.namespaces, p.ns));
  const failed = typeof report.error === 'string';
  return {
    ran: true,
    ok: !failed && !problems.some((p) => p.severity === 'error'),
    checkedAt: report.checkedAt,
    signing: report.signing,
    scope: {
      namespaces: scope.namespaces.map((p) =>
        p.kind === 'exact' ? p.url : p.kind === 'hosts' ? p.source : '*',
      ),
    },
    problems,
    ...(Number(report.problemsOmitted) > 0 ? { problemsOmitted: true } : {}),
    ...(failed ? { error: 'the scheduled verify failed; an admin token sees why' } : {}),
  };
}
