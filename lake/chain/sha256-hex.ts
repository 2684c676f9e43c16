import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import sha256Module from '#sha256-module';
import { createSha256Wasm } from './sha256-wasm/create-sha256-wasm.ts';

type NodeCrypto = {
  createHash(algorithm: 'sha256'): { update(text: string): { digest(encoding: 'hex'): string } };
};

const encoder = new TextEncoder();

// Under Node the native hash is several times faster than a JS one. It is reached through
// process.getBuiltinModule (Node ≥ 20.16) so nothing imports node:crypto statically, and only looked up
// where no compiled module was bundled; anywhere else the portable implementation answers the same digest.
function nativeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  try {
    const crypto = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
    return typeof crypto?.createHash === 'function' ? crypto : undefined;
  } catch {
    return undefined;
  }
}

/** SHA-256 of a string's UTF-8 bytes, portable implementation. */
export const sha256HexPortable = (text: string): string => bytesToHex(sha256(encoder.encode(text)));

/**
 * SHA-256 of a string's UTF-8 bytes as lower-case hex; synchronous, so it can run inside
 * `transactionSync`. Inside workerd it is the compiled `sha256.wasm` (the `workerd` condition of
 * `#sha256-module`); under Node, `node:crypto`; anywhere else the portable hash.
 *
 * @example
 * ```ts
 * import { sha256Hex } from './sha256-hex.ts';
 * sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export const sha256Hex: (text: string) => string = sha256Module
  ? createSha256Wasm(sha256Module)
  : nativeOrPortable();

function nativeOrPortable(): (text: string) => string {
  const native = nativeCrypto();
  return native ? (text) => native.createHash('sha256').update(text).digest('hex') : sha256HexPortable;
}
