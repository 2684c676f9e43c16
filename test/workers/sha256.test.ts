import sha256Module from '#sha256-module';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../lake/chain/index.ts';

describe('sha256Hex inside workerd', () => {
  it('is the compiled WebAssembly module, and agrees with node:crypto', () => {
    expect(sha256Module).toBeInstanceOf(WebAssembly.Module);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 300 },
    );
    const big = 'ü'.repeat(300_000);
    expect(sha256Hex(big)).toBe(createHash('sha256').update(big, 'utf8').digest('hex'));
  });
});
