import { SHA256_INPUT, SHA256_OUT } from './sha256-wat.ts';

interface Sha256Exports {
  memory: WebAssembly.Memory;
  digest(length: number): void;
}

const encoder = new TextEncoder();
// The digest is ASCII hex, so UTF-8 decoding is a plain copy.
const decoder = new TextDecoder();
const PAGE = 65_536;

/**
 * SHA-256 of a string's UTF-8 bytes as lower-case hex, computed by the compiled `sha256.wasm`. Inside
 * workerd this is several times cheaper per call than `node:crypto`, whose every hash builds a stream
 * object, a native handle and two buffers. Synchronous, so it can run inside `transactionSync`.
 *
 * @example
 * ```ts
 * import sha256Module from './sha256.wasm'; // a WebAssembly.Module under wrangler / workerd
 * import { createSha256Wasm } from './create-sha256-wasm.ts';
 * const sha256Hex = createSha256Wasm(sha256Module);
 * sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function createSha256Wasm(module: WebAssembly.Module): (text: string) => string {
  const { memory, digest } = new WebAssembly.Instance(module, {}).exports as unknown as Sha256Exports;
  let capacity = memory.buffer.byteLength;
  let input = new Uint8Array(memory.buffer, SHA256_INPUT);
  let out = new Uint8Array(memory.buffer, SHA256_OUT, 64);
  return (text) => {
    // UTF-8 needs at most 3 bytes per UTF-16 unit, and the padding at most 72 more.
    const need = SHA256_INPUT + text.length * 3 + 72;
    if (need > capacity) {
      memory.grow(Math.ceil((need - capacity) / PAGE));
      capacity = memory.buffer.byteLength;
      input = new Uint8Array(memory.buffer, SHA256_INPUT);
      out = new Uint8Array(memory.buffer, SHA256_OUT, 64);
    }
    digest(encoder.encodeInto(text, input).written);
    return decoder.decode(out);
  };
}
