// Retrieval metrics of the search-quality eval (issue 15). Pure functions over ranked product ids.

/**
 * Recall@k capped at k: the share of the top k that is relevant, out of the most that could be
 * (min(k, |relevant|)). Plain recall@k would cap a query with 30 relevant products at 5/30, whatever the
 * model; the capped form (BEIR's "R_cap@k") is 1 when the top k are all relevant or hold all of them.
 */
export function recallAtK(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) throw new RangeError('a query needs at least one relevant product');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  let found = 0;
  for (const id of new Set(ranked.slice(0, k))) if (relevant.has(id)) found++;
  return found / Math.min(k, relevant.size);
}

/** 1 / rank of the first relevant product within the top k, 0 when none is there. */
export function reciprocalRankAtK(
  ranked: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): number {
  if (relevant.size === 0) throw new RangeError('a query needs at least one relevant product');
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const rank = ranked.slice(0, k).findIndex((id) => relevant.has(id));
  return rank === -1 ? 0 : 1 / (rank + 1);
}

export interface QueryScore {
  recall5: number;
  mrr10: number;
}

export interface Summary {
  queries: number;
  /** Mean recall@5 (capped, see recallAtK). */
  recall5: number;
  /** Mean reciprocal rank of the first relevant product within the top 10. */
  mrr10: number;
}

export function scoreQuery(ranked: readonly string[], relevant: ReadonlySet<string>): QueryScore {
  return { recall5: recallAtK(ranked, relevant, 5), mrr10: reciprocalRankAtK(ranked, relevant, 10) };
}

export function summarize(scores: readonly QueryScore[]): Summary {
  if (scores.length === 0) return { queries: 0, recall5: Number.NaN, mrr10: Number.NaN };
  const mean = (f: (s: QueryScore) => number) => scores.reduce((sum, s) => sum + f(s), 0) / scores.length;
  return { queries: scores.length, recall5: mean((s) => s.recall5), mrr10: mean((s) => s.mrr10) };
}
