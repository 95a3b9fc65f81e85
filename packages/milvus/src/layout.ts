import { DataType, type FieldType } from '@zilliz/milvus2-sdk-node';

// DESIGN §5. Absent values (no price, unknown stock, no category/brand) are real nulls: Milvus Lite 3.2.2
// with SDK 3.0.6 accepts nullable scalar fields and partial updates of them (checked on this machine).
export function productFields(dimension: number): FieldType[] {
  return [
    { name: 'product_id', data_type: DataType.VarChar, is_primary_key: true, max_length: 256 },
    { name: 'embedding', data_type: DataType.FloatVector, dim: dimension },
    { name: 'title', data_type: DataType.VarChar, max_length: 1024 },
    { name: 'category', data_type: DataType.VarChar, max_length: 256, nullable: true },
    { name: 'brand', data_type: DataType.VarChar, max_length: 256, nullable: true },
    { name: 'price_minor', data_type: DataType.Int64, nullable: true },
    { name: 'currency', data_type: DataType.VarChar, max_length: 8, nullable: true },
    { name: 'stock', data_type: DataType.Int32, nullable: true },
    { name: 'in_stock', data_type: DataType.Bool },
    { name: 'version', data_type: DataType.Int64 },
    { name: 'content_hash', data_type: DataType.VarChar, max_length: 64 },
    { name: 'model', data_type: DataType.VarChar, max_length: 128 },
    { name: 'occurred_at', data_type: DataType.Int64 },
    { name: 'indexed_at', data_type: DataType.Int64 },
    // Input-topic offset of the last event applied: orders a Kafka tombstone (no version) against the row.
    { name: 'source_offset', data_type: DataType.Int64, nullable: true },
  ];
}

/**
 * Deletes are remembered by version in a side collection so an older update cannot resurrect a product
 * (DESIGN §4.2). Milvus requires a vector field in every collection: a 2-dimension placeholder.
 */
export function tombstoneFields(): FieldType[] {
  return [
    { name: 'product_id', data_type: DataType.VarChar, is_primary_key: true, max_length: 256 },
    { name: 'placeholder', data_type: DataType.FloatVector, dim: 2 },
    { name: 'version', data_type: DataType.Int64 },
    { name: 'deleted_at', data_type: DataType.Int64 },
  ];
}

export const PRODUCT_OUTPUT_FIELDS = [
  'product_id',
  'title',
  'category',
  'brand',
  'price_minor',
  'currency',
  'stock',
  'in_stock',
  'version',
  'content_hash',
  'model',
  'occurred_at',
  'indexed_at',
  'source_offset',
] as const;

/** AUTOINDEX lets each Milvus flavour pick its index (Lite: a flat scan, fine at catalog scale). */
export const VECTOR_INDEX = {
  field_name: 'embedding',
  index_type: 'AUTOINDEX',
  metric_type: 'COSINE',
} as const;

export function physicalName(alias: string, version: number): string {
  return `${alias}_v${version}`;
}

export function tombstoneName(alias: string): string {
  return `${alias}_tombstones`;
}
