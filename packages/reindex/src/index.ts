export {
  type BuilderDeps,
  type BuilderEmbeddings,
  type BuilderStats,
  createBuilderHandler,
  emptyStats,
  toWrite,
} from './builder.js';
export { handOverOffsets, waitGroupsIdle } from './handover.js';
export {
  dropOldCollections,
  ReindexError,
  type ReindexOptions,
  type ReindexPhase,
  type ReindexResult,
  reindex,
} from './reindex.js';
export {
  type CountCheck,
  checkSampleVectors,
  compareSnapshots,
  type Mismatch,
  persistentMismatches,
  ReindexVerificationError,
  type SampleCheck,
  type Snapshot,
  snapshot,
  spreadSample,
  verifyConverged,
} from './verify.js';
