import { readFile, writeFile } from 'node:fs/promises';
import { sha256Wat } from './sha256-wat.ts';

/** Where the compiled module is committed, beside its generator. */
export const SHA256_WASM_PATH = new URL('./sha256.wasm', import.meta.url).pathname;

/**
 * Compiles {@link sha256Wat} with wabt (a dev dependency): the bytes `sha256.wasm` must hold.
 *
 * @example
 * ```ts
 * import { compileSha256Wasm } from './build-sha256-wasm.ts';
 * (await compileSha256Wasm()).length; // about 8 KB
 * ```
 */
export async function compileSha256Wasm(): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const parsed = wabt.parseWat('sha256.wat', sha256Wat());
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** The committed binary. */
export const readSha256Wasm = async (): Promise<Uint8Array> =>
  new Uint8Array(await readFile(SHA256_WASM_PATH));

if (import.meta.url === `file://${process.argv[1]}`) {
  const bytes = await compileSha256Wasm();
  await writeFile(SHA256_WASM_PATH, bytes);
  console.log(`wrote ${SHA256_WASM_PATH} (${bytes.length} bytes)`);
}
