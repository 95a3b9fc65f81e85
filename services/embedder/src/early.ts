import type { EmbedderRequest } from '@freshet/schemas';
import { needsVector } from './index-write.js';

/**
 * Indexes of the pass-through requests (no vector needed) that come before any request needing a vector
 * of the same product: they can be produced before the batch's embeddings are known.
 */
export function earlyPassThrough(requests: readonly EmbedderRequest[]): Set<number> {
  const waiting = new Set<string>();
  const early = new Set<number>();
  requests.forEach((request, i) => {
    if (needsVector(request)) waiting.add(request.productId);
    else if (!waiting.has(request.productId)) early.add(i);
  });
  return early;
}

/** The products with a request not among `sent`: their outputs are still to come. */
export function stillToSend(requests: readonly EmbedderRequest[], sent: ReadonlySet<number>): Set<string> {
  const out = new Set<string>();
  requests.forEach((request, i) => {
    if (!sent.has(i)) out.add(request.productId);
  });
  return out;
}
