import { type EventType, UNKNOWN_VERSION } from '@freshet/schemas';

/** One record of a product as the supersession rule sees it: its position on the partition, type, version. */
export interface Candidate {
  offset: number;
  type: EventType;
  version: number;
}

/**
 * What becomes of a text (CREATE/UPDATE) that need not be embedded:
 * - `superseded`: not forwarded at all; `by` (an index into the candidates) is the record that makes it
 *   redundant. When `by` is itself a text, dropping holds only if `by` reaches the writer (is not refused by
 *   the API): the caller checks that before letting the text go;
 * - `delete`: forwarded as a DELETE at the text's own version (a later Kafka tombstone removes the product
 *   anyway; the versioned delete leaves the version guard exactly where the text would have left it).
 */
export type Fate = { kind: 'superseded'; by: number } | { kind: 'delete' };

const isText = (c: Candidate) => c.type === 'CREATE' || c.type === 'UPDATE';
const isTombstone = (c: Candidate) => c.type === 'DELETE' && c.version === UNKNOWN_VERSION;
/** A record that, once at the writer, sets the product's guard version to at least its own. */
const isFull = (c: Candidate) => isText(c) || (c.type === 'DELETE' && c.version !== UNKNOWN_VERSION);

/**
 * The texts among one product's records (fetched, not finished, one partition) whose embedding cannot change
 * the final index (DESIGN §3 "Latest state", §4.1). The writer applies a product's writes one by one in offset
 * order with the version guard (collapseByVersion); a text r (version v, offset o) is left out only where
 * leaving it out provably gives the same final state for ANY state the writer holds before:
 *
 * - an EARLIER record s (full text or versioned DELETE) with a higher version: once s is at the writer the
 *   guard is at ≥ s.version > v, so r would be stale there;
 * - a LATER record s (full text or versioned DELETE) with a higher version, and every record strictly between
 *   r and s below s.version: then s is applied whether or not r was (nothing before it reaches its version
 *   unless r would be stale too), and s replaces or deletes the whole row, so whatever r and the price/stock
 *   changes between did is gone. A higher-version price change between (versions out of offset order) would
 *   make s stale and keep r's row: then r stays;
 * - a LATER Kafka tombstone with no record between above v: the tombstone deletes the product whatever r did,
 *   but the guard keeps r's version (a later older update must stay blocked): r is forwarded as a DELETE at v.
 *
 * `disqualified` records (a text the API refused, whose batch was given up, …) never supersede anything but
 * still count as records between: either way (at the writer later, or never) the rule holds.
 */
export function fatesOfTexts(
  candidates: readonly Candidate[],
  disqualified: (index: number) => boolean = () => false,
): Map<number, Fate> {
  const order = candidates.map((_, i) => i).sort((a, b) => candidates[a]!.offset - candidates[b]!.offset);
  const fates = new Map<number, Fate>();
  // Highest version of a full record so far (rule 1), with its index.
  let earlier: { version: number; index: number } | null = null;
  for (const [k, i] of order.entries()) {
    const r = candidates[i]!;
    if (isText(r)) {
      const fate =
        earlier !== null && earlier.version > r.version
          ? { kind: 'superseded' as const, by: earlier.index }
          : later(candidates, order, k, disqualified);
      if (fate) fates.set(i, fate);
    }
    if (isFull(r) && !disqualified(i) && (earlier === null || r.version > earlier.version))
      earlier = { version: r.version, index: i };
  }
  return fates;
}

/** Rules 2 and 3 for the text at `order[k]`: a later full record, else a later tombstone. */
function later(
  candidates: readonly Candidate[],
  order: readonly number[],
  k: number,
  disqualified: (index: number) => boolean,
): Fate | null {
  const r = candidates[order[k]!]!;
  const offset = r.offset;
  let between = Number.NEGATIVE_INFINITY; // highest version strictly between r and the record looked at
  let tombstone = false;
  for (let j = k + 1; j < order.length; j++) {
    const s = candidates[order[j]!]!;
    if (s.offset === offset) continue; // the same record fetched twice (a redo while the old batch ends)
    if (isFull(s) && s.version > r.version && s.version > between && !disqualified(order[j]!))
      return { kind: 'superseded', by: order[j]! };
    if (isTombstone(s) && between <= r.version) tombstone = true;
    if (!isTombstone(s)) between = Math.max(between, s.version);
  }
  return tombstone ? { kind: 'delete' } : null;
}
