export { type CompactResult, compact } from './compact.ts';
export {
  exportState,
  type ImportMode,
  importFork,
  importState,
  markMoved,
  recordLifecycle,
  unmarkMoved,
  type StateBundle,
} from './transfer.ts';
