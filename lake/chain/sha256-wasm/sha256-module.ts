/**
 * Outside workerd there is no compiled SHA-256 module: `sha256Hex` uses `node:crypto` (or the portable
 * hash). Selected by the `#sha256-module` import's default condition.
 *
 * @module
 */
const sha256Module: WebAssembly.Module | undefined = undefined;
export default sha256Module;
