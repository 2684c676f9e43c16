import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatVerifyReport, LakeRowError, VerifyInputError, verifyLake } from '../../jobs/verify/index.ts';
import type { AuditPublicKey } from '../../lake/chain/index.ts';
import { createDuckDbEngine } from '../../query/duckdb/index.ts';
import { createR2SqlEngine, type QueryEngine } from '../../query/index.ts';
import type { Command } from '../command.ts';
import { parseFlags, UsageError } from '../parse-flags.ts';

const time = z
  .string()
  .refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO time or date, e.g. 2026-11-25T00:00:00Z')
  .transform((t) => new Date(t));

const flags = z
  .object({
    ns: z.array(z.string().url('a namespace URL, e.g. https://acme.startups.studio')).optional(),
    from: time.optional(),
    to: time.optional(),
    lake: z.string().min(1).optional(),
    endpoint: z.string().url('the R2 SQL API base, e.g. http://127.0.0.1:8788').optional(),
    account: z.string().min(1).default('local'),
    bucket: z.string().min(1).default('lake'),
    token: z.string().optional(),
    publicKey: z.array(z.string().min(1)).optional(),
    allowUnsigned: z.boolean().default(false),
    allowDuplicates: z.boolean().default(false),
    format: z.enum(['text', 'json']).default('text'),
  })
  .strict()
  .refine((f) => (f.lake === undefined) !== (f.endpoint === undefined), {
    message: 'give exactly one of --lake DIR or --endpoint URL',
    path: ['lake'],
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, {
    message: '--from must be before --to',
    path: ['from'],
  });

const help = `dotdo-analytics verify [--ns URL ...] [--from T --to T] (--lake DIR | --endpoint URL)
                       [--public-key KEY ...] [--allow-unsigned] [--allow-duplicates] [--format text|json]

Recomputes every event hash from the lake's rows, checks prev_hash links, gaps and duplicates per
namespace and incarnation, reconciles the chain with the checkpoints (head hash, count, truncated
tail) and checks each checkpoint's signature by its key id. Exit 0 when verified, 1 naming every
problem (ns, incarnation, seq range, what is wrong), 2 for bad flags.

  --ns URL            only this namespace (repeatable); default every namespace
  --from T, --to T    only events and checkpoints with from <= ts < to (ISO time or date)
  --lake DIR          a local lake (the bucket directory, or a dev data dir holding r2/lake), read by DuckDB
  --endpoint URL      an R2 SQL API (Cloudflare's, or the local stand-in) with --account, --bucket, --token
                      (default R2_SQL_TOKEN)
  --public-key KEY    a published key: a file holding a JWK or {"keys": [...]} (GET /audit/keys), or
                      that JSON inline (repeatable; default AUDIT_PUBLIC_KEYS). Old keys stay valid
                      for the checkpoints that name them
  --allow-unsigned    unsigned checkpoints are notes, not errors (a lake written without a key)
  --allow-duplicates  identical re-deliveries (at-least-once) are notes, not errors
  --format json       a machine-readable report with a summary`;

const jwk = z.object({
  kid: z.string().min(1),
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(40),
});
const keySet = z.union([z.object({ keys: z.array(jwk) }), z.array(jwk), jwk]);

function readKeys(specs: readonly string[]): AuditPublicKey[] {
  const keys: AuditPublicKey[] = [];
  for (const spec of specs) {
    const inline = /^\s*[[{]/.test(spec);
    if (!inline && !existsSync(spec))
      throw new UsageError(`--public-key: ${spec} is neither JSON nor a file`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(inline ? spec : readFileSync(spec, 'utf8'));
    } catch {
      throw new UsageError(`--public-key: ${inline ? 'the inline key' : spec} is not JSON`);
    }
    const result = keySet.safeParse(parsed);
    if (!result.success)
      throw new UsageError(
        `--public-key: ${inline ? 'the inline key' : spec} is not an Ed25519 JWK with kid (or {"keys": [...]})`,
      );
    const value = result.data;
    keys.push(...(Array.isArray(value) ? value : 'keys' in value ? value.keys : [value]));
  }
  return keys;
}

function lakeDir(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--lake: ${dir} is not a directory`);
  const nested = join(dir, 'r2', 'lake');
  return existsSync(nested) ? nested : dir;
}

async function run(argv: string[]): Promise<number> {
  const f = parseFlags(argv, flags as unknown as z.ZodObject) as z.output<typeof flags>;
  const envKeys = process.env.AUDIT_PUBLIC_KEYS;
  const publicKeys = readKeys(f.publicKey ?? (envKeys ? [envKeys] : []));
  const engine: QueryEngine = f.lake
    ? await createDuckDbEngine({ lake: lakeDir(f.lake) })
    : createR2SqlEngine({
        accountId: f.account,
        bucket: f.bucket,
        token: f.token ?? process.env.R2_SQL_TOKEN ?? '',
        endpoint: f.endpoint!,
      });
  try {
    const report = await verifyLake(engine, {
      namespaces: f.ns,
      from: f.from,
      to: f.to,
      publicKeys,
      allowUnsigned: f.allowUnsigned,
      allowDuplicates: f.allowDuplicates,
    });
    console.log(f.format === 'json' ? JSON.stringify(report, null, 2) : formatVerifyReport(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof LakeRowError || error instanceof VerifyInputError) {
      console.error(`verify: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await engine.close?.();
  }
}

/** `dotdo-analytics verify`: proves the lake's audit trail complete and unaltered, or names every problem. */
export const command: Command = { summary: 'verify the audit trail', help, run };
