import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../cli/main.ts';
import { createCheckpointSigner, SigningKeyError } from '../../../ingest/index.ts';
import { checkCheckpoints } from '../../../jobs/verify/index.ts';
import { verifyCheckpointSignature } from '../../../lake/chain/index.ts';
import type { CheckpointRow } from '../../../schemas/index.ts';
import { tempDir } from '../helpers.ts';
import { auditKeyPair } from './audit-lake.ts';

const row = (head: number): CheckpointRow => ({
  schema_version: 2,
  id: `https://a.test/checkpoints/i1/${head}`,
  ns: 'https://a.test',
  incarnation: 'i1',
  head_seq: head,
  head_hash: 'ab'.repeat(32),
  count: head,
  ts: 1_764_000_000_000_123,
});

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  temp = await tempDir('checkpoint-signature-');
});
afterAll(() => temp.remove());

describe('signed checkpoints', () => {
  it('verify by key id across a rotation; any changed field or another key fails', async () => {
    const old = await auditKeyPair('k2025');
    const current = await auditKeyPair('k2026');
    const a = await (await createCheckpointSigner(old.secret)).sign(row(1000));
    const b = await (await createCheckpointSigner(current.secret)).sign(row(2000));
    expect([a.key_id, b.key_id]).toEqual(['k2025', 'k2026']);
    // Ed25519 is deterministic: a re-sent checkpoint carries the same signature.
    expect((await (await createCheckpointSigner(old.secret)).sign(row(1000))).signature).toBe(a.signature);
    const checked = await checkCheckpoints([a, b, a], { publicKeys: [old.publicKey, current.publicKey] });
    expect(checked.signatures).toEqual({ checkpoints: 2, valid: 2, invalid: 0, unknownKey: 0, unsigned: 0 });
    const onlyNew = await checkCheckpoints([a, b], { publicKeys: [current.publicKey] });
    expect(onlyNew.problems.map((p) => p.kind)).toEqual(['unknown-key']);
    const keys = new Map([
      [
        current.publicKey.kid,
        await crypto.subtle.importKey('jwk', current.publicKey, { name: 'Ed25519' }, false, ['verify']),
      ],
    ]);
    for (const change of [
      { count: 1999 },
      { head_hash: 'cd'.repeat(32) },
      { ts: b.ts + 1 },
      { ns: 'https://b.test' },
      { signature: 'x' },
    ])
      expect(await verifyCheckpointSignature({ ...b, ...change }, keys)).toBe('invalid');
    expect(await verifyCheckpointSignature({ ...b, key_id: null }, keys)).toBe('unsigned');
  });

  it('a PKCS8 secret works; a bad secret is a SigningKeyError that does not echo it', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const pkcs8 = Buffer.from(
      (await crypto.subtle.exportKey('pkcs8', pair.privateKey)) as ArrayBuffer,
    ).toString('base64');
    const signer = await createCheckpointSigner(pkcs8);
    expect(signer.keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    for (const bad of ['not a key!', '{"kty":"RSA","d":"secretvalue"}', 'AAAA'])
      await expect(createCheckpointSigner(bad)).rejects.toSatisfy(
        (e: Error) => e instanceof SigningKeyError && !e.message.includes('secretvalue'),
      );
  });

  it('verify refuses bad flags with exit 2, naming the flag', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    const bad = join(temp.dir, 'bad.json');
    await writeFile(bad, '{"keys": [{"kid": "k"}]}');
    try {
      expect(await main(['verify'])).toBe(2);
      expect(await main(['verify', '--lake', temp.dir, '--endpoint', 'http://127.0.0.1:1'])).toBe(2);
      expect(await main(['verify', '--lake', temp.dir, '--ns', 'not-a-url'])).toBe(2);
      expect(await main(['verify', '--lake', temp.dir, '--from', 'yesterday'])).toBe(2);
      expect(await main(['verify', '--lake', temp.dir, '--public-key', bad])).toBe(2);
      expect(await main(['verify', '--lake', join(temp.dir, 'missing')])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/--lake: give exactly one of --lake DIR or --endpoint URL/);
    expect(errors.join('\n')).toMatch(/--ns: a namespace URL/);
    expect(errors.join('\n')).toMatch(/--from: an ISO time/);
    expect(errors.join('\n')).toMatch(/--public-key: .*bad\.json is not an Ed25519 JWK/);
    expect(errors.join('\n')).toMatch(/is not a directory/);
  });
});
