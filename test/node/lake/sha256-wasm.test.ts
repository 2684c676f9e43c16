import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSha256Wasm, readSha256Wasm } from '../../../lake/chain/sha256-wasm/build-sha256-wasm.ts';
import { createSha256Wasm } from '../../../lake/chain/sha256-wasm/index.ts';

// Node's WebAssembly.compile; the project's ambient types describe workerd's, which has none.
const compileModule = async (): Promise<WebAssembly.Module> =>
  (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> }).compile(
    await readSha256Wasm(),
  );
const nodeHex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256.wasm', () => {
  it('is what its generator compiles to (run `npm run build:wasm` after changing sha256-wat.ts)', async () => {
    expect(Buffer.from(await readSha256Wasm()).equals(Buffer.from(await compileSha256Wasm()))).toBe(true);
  });

  it('gives the FIPS 180-4 digests, across padding boundaries and memory growth', async () => {
    const hex = createSha256Wasm(await compileModule());
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    for (const length of [55, 56, 57, 63, 64, 65, 119, 120, 128, 1000])
      expect(hex('x'.repeat(length)), `length ${length}`).toBe(nodeHex('x'.repeat(length)));
    // Larger than the first memory page (and then small again, in the grown memory).
    const big = `${'é😀'.repeat(100_000)}z`;
    expect(hex(big)).toBe(nodeHex(big));
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('agrees with node:crypto on any string, lone surrogates included', async () => {
    const hex = createSha256Wasm(await compileModule());
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), fc.string({ maxLength: 300 })),
        (text) => {
          expect(hex(text)).toBe(nodeHex(text));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
