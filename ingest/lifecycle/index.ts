export { type CompactResult, compact } from './compact.ts';
export {
  exportState,
  type ImportMode,
  importFork,
  importState,
  markMoved,
  type StateBundle,
} from './transfer.ts';
