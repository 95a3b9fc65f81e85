export {
  createMilvusClient,
  MilvusClient,
  type MilvusOptions,
  pingMilvus,
  waitForMilvus,
  whenMilvusAnswers,
} from './client.js';
export {
  createPhysical,
  describeAlias,
  dropAll,
  dropPhysical,
  type EnsuredCollection,
  ensureCollection,
  listPhysical,
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
  fromMilvusRow,
  type PartialProductRow,
  type ProductRow,
  toMilvusPartial,
  toMilvusRow,
  vectorFromBytes,
  vectorToBytes,
} from './rows.js';
export { filterExpression, type SearchFilters, type SearchHit, searchProducts } from './search.js';
export {
  allRows,
  deleteRows,
  fetchIndexedVectors,
  getRows,
  type IndexedState,
  idFilter,
  loadStates,
  partialUpdate,
  upsertRows,
  upsertRowsIsolating,
  upsertTombstones,
  withLoaded,
} from './store.js';
