// The version guard lives in @freshet/milvus: the writer and the blue/green re-index apply it alike.
export {
  type CollapsedProduct,
  collapseByVersion,
  type GuardedWrite,
  groupByProduct,
  type IndexedState,
  type PriceStock,
  type ProductPlan,
  type WriteOutcome,
} from '@freshet/milvus';
