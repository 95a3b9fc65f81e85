export {
  createMilvusClient,
  forgetSchema,
  MilvusClient,
  type MilvusOptions,
  milvusReadiness,
  pingMilvus,
  waitForMilvus,
  whenMilvusAnswers,
} from './client.js';
export {
  createPhysical,
  describeAlias,
  describeModel,
  dropAll,
  dropPhysical,
  type EnsuredCollection,
  type EnsureOptions,
  ensureCollection,
  ensureStageCollection,
  type IndexModel,
  listPhysical,
  parseModel,
  swapAlias,
} from './collection.js';
export {
  MILVUS_ERROR_CODES,
  type MilvusErrorCode,
  MilvusNotLoadedError,
  MilvusRejectedError,
  MilvusUnavailableError,
} from './errors.js';
export { physicalName, productFields, tombstoneName } from './layout.js';
export {
  type ConfiguredModel,
  checkModel,
  describeIndexModel,
  ModelMismatchError,
  modelRefusal,
} from './model-guard.js';
export {
  fromMilvusRow,
  type PartialProductRow,
  type ProductRow,
  toMilvusPartial,
  toMilvusRow,
  vectorFromBytes,
  vectorToBytes,
} from './rows.js';
export {
  filterExpression,
  type SearchFilters,
  type SearchHit,
  searchProducts,
  searchThroughAlias,
} from './search.js';
export {
  absentState,
  allRows,
  type CollectionTarget,
  deleteRows,
  fetchIndexedVectors,
  getRows,
  type IndexedState,
  idFilter,
  loadStates,
  partialUpdate,
  resolveTarget,
  upsertRows,
  upsertRowsIsolating,
  upsertTombstones,
  withLoaded,
} from './store.js';
export {
  type CollapsedProduct,
  collapseByVersion,
  type GuardedWrite,
  groupByProduct,
  type PriceStock,
  type ProductPlan,
  type WriteOutcome,
} from './version-guard.js';
