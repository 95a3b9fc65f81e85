// The tensor arithmetic around one inference call of the `local` provider (local-worker.ts), kept pure so it
// is tested without a model: token ids in, padded int64 inputs out; the model's token vectors in, one
// unit-length sentence vector per text out.
import type { Pooling } from './local-models.js';

export interface EncodedBatch {
  /** [texts × length] token ids, row-major, padded with the pad id. */
  ids: BigInt64Array;
  /** [texts × length] 1 for a real token, 0 for padding. */
  mask: BigInt64Array;
  /** Tokens per row: the longest text's, after truncation. */
  length: number;
  /** Real tokens of each text, after truncation. */
  lengths: number[];
  /** Texts cut at the limit. */
  truncated: number;
}

/**
 * Pads (and truncates) the tokenizer's ids of a batch, each list one text with its special tokens. A list
 * longer than `maxTokens` keeps its first `maxTokens` ids: the cut transformers.js makes (its closing
 * `[SEP]` goes too, unlike Python's tokenizers), so every vector equals the one the earlier versions,
 * which ran the model through transformers.js, wrote for the same model id, and no index needs rebuilding.
 */
export function encodeBatch(idLists: readonly number[][], maxTokens: number, padId: number): EncodedBatch {
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new RangeError(`maxTokens must be a positive integer, got ${maxTokens}`);
  }
  let truncated = 0;
  const lists = idLists.map((ids) => {
    if (ids.length <= maxTokens) return ids;
    truncated++;
    return ids.slice(0, maxTokens);
  });
  const length = lists.reduce((longest, ids) => Math.max(longest, ids.length), 0);
  const ids = new BigInt64Array(lists.length * length).fill(BigInt(padId));
  const mask = new BigInt64Array(lists.length * length);
  lists.forEach((row, r) => {
    for (let t = 0; t < row.length; t++) {
      ids[r * length + t] = BigInt(row[t]!);
      mask[r * length + t] = 1n;
    }
  });
  return { ids, mask, length, lengths: lists.map((l) => l.length), truncated };
}

/**
 * One sentence vector per text from the model's `[texts × length × dimension]` token vectors: the mean of
 * the real tokens (`mean`, padding excluded) or the first token (`cls`), scaled to unit length.
 */
export function poolAndNormalize(
  hidden: Float32Array,
  batch: Pick<EncodedBatch, 'length' | 'lengths'>,
  dimension: number,
  pooling: Pooling,
): Float32Array {
  const { length, lengths } = batch;
  if (hidden.length !== lengths.length * length * dimension) {
    throw new RangeError(
      `token vectors hold ${hidden.length} floats, expected ${lengths.length} × ${length} × ${dimension}`,
    );
  }
  const out = new Float32Array(lengths.length * dimension);
  // Sums in float64, as the reference implementations do, so a long text loses no precision.
  const sum = new Float64Array(dimension);
  for (let r = 0; r < lengths.length; r++) {
    const base = r * length * dimension;
    const tokens = pooling === 'mean' ? lengths[r]! : 1;
    sum.fill(0);
    for (let t = 0; t < tokens; t++) {
      const at = base + t * dimension;
      for (let d = 0; d < dimension; d++) sum[d]! += hidden[at + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dimension; d++) {
      sum[d] = sum[d]! / Math.max(tokens, 1);
      norm += sum[d]! * sum[d]!;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dimension; d++) out[r * dimension + d] = sum[d]! * scale;
  }
  return out;
}

/** ES2024's ArrayBuffer methods (Node ≥ 21), beyond this project's ES2023 lib. */
interface TransferableBuffer {
  readonly detached?: boolean;
  transfer?(newLength: number): ArrayBuffer;
}

/**
 * Frees a typed array's memory now, not at V8's next collection: the buffer is detached (transferred to an
 * empty one), which releases its backing store at once; the view reads as empty afterwards. For a run's token
 * vectors, which nothing reads once pooled. Returns whether it released anything: a view into a shared or
 * already detached buffer, or a runtime without `transfer`, is left alone.
 */
export function releaseNow(view: ArrayBufferView): boolean {
  const buffer = view.buffer as ArrayBuffer & TransferableBuffer;
  if (!(buffer instanceof ArrayBuffer) || buffer.detached || typeof buffer.transfer !== 'function')
    return false;
  buffer.transfer(0);
  return true;
}
