export { type ParsedRef, parseRef, RefError, type RefSelector } from '../../schemas/parse-ref.ts';
export { RefNotFoundError, resolveRef, type ThingVersion } from './resolve-ref.ts';
