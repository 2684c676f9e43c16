/**
 * Inside workerd (the `workerd` condition of the `#sha256-module` import), the compiled SHA-256
 * module: wrangler and workerd import a `.wasm` file as a WebAssembly.Module.
 *
 * @module
 */
import sha256Module from './sha256.wasm';

export default sha256Module as WebAssembly.Module | undefined;
