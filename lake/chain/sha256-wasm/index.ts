/**
 * SHA-256 compiled to WebAssembly for the audit chain inside workerd.
 *
 * @module
 */
export { createSha256Wasm } from './create-sha256-wasm.ts';
export { SHA256_INPUT, SHA256_OUT, sha256Wat } from './sha256-wat.ts';
