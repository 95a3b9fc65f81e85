/**
 * The last `capacity` UUIDs added, as 128-bit keys in typed arrays: a ring of keys in the order they came
 * (the oldest is overwritten first) and an open-addressing index over it (linear probing, backward-shift
 * deletion). 200,000 eventIds held as strings in a Map-based LRU took ~21 MB of the router's V8 heap, every
 * one of them marked by each full GC; here they take 16 bytes each plus 8 of index, outside the heap.
 * Exact: a key is the UUID's own 128 bits, never a hash of it, so no two ids can be taken for each other.
 */
export class UuidWindow {
  /** Ring of keys, four 32-bit words per slot. */
  private readonly keys: Uint32Array;
  /** Index: ring slot + 1 of the key hashed here, 0 for empty. */
  private readonly index: Uint32Array;
  private readonly mask: number;
  /** Next ring slot to write (the oldest key once the ring is full). */
  private head = 0;
  private count = 0;
  private readonly probe = new Uint32Array(4);

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
    this.keys = new Uint32Array(capacity * 4);
    // At most half full, so a probe ends after a few slots.
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.index = new Uint32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** True when `id` is a canonical UUID (8-4-4-4-12 lowercase hex) among the last `capacity` added. */
  has(id: string): boolean {
    return this.lookup(id) === true;
  }

  /** Whether `id` is among the last `capacity` added; undefined when it is not a UUID (never held here). */
  lookup(id: string): boolean | undefined {
    return parseUuid(id, this.probe) ? this.find(this.probe) >= 0 : undefined;
  }

  /** Adds a UUID (false, nothing added, when `id` is not one); the oldest key falls out once full. */
  add(id: string): boolean {
    const key = this.probe;
    if (!parseUuid(id, key)) return false;
    if (this.find(key) >= 0) return true;
    if (this.count === this.capacity) this.remove(this.head);
    else this.count++;
    const slot = this.head;
    this.keys.set(key, slot * 4);
    let at = this.home(key);
    while (this.index[at] !== 0) at = (at + 1) & this.mask;
    this.index[at] = slot + 1;
    this.head = (slot + 1) % this.capacity;
    return true;
  }

  /** Position in the index holding `key`, or −1. */
  private find(key: Uint32Array): number {
    let at = this.home(key);
    for (;;) {
      const entry = this.index[at]!;
      if (entry === 0) return -1;
      const k = (entry - 1) * 4;
      const keys = this.keys;
      if (keys[k] === key[0] && keys[k + 1] === key[1] && keys[k + 2] === key[2] && keys[k + 3] === key[3])
        return at;
      at = (at + 1) & this.mask;
    }
  }

  /** Drops ring slot `slot`'s key from the index, shifting later entries of its probe run back. */
  private remove(slot: number): void {
    const key = this.keys.subarray(slot * 4, slot * 4 + 4);
    let hole = this.find(key);
    if (hole < 0) return;
    let at = hole;
    for (;;) {
      at = (at + 1) & this.mask;
      const entry = this.index[at]!;
      if (entry === 0) break;
      const s = (entry - 1) * 4;
      const home = this.home(this.keys.subarray(s, s + 4));
      // An entry may fill the hole only if the hole lies on its probe path (its home is not in (hole, at]).
      if (((at - home) & this.mask) >= ((at - hole) & this.mask)) {
        this.index[hole] = entry;
        hole = at;
      }
    }
    this.index[hole] = 0;
  }

  /** Home position of a key: its words mixed (UUID v1/v7 keep a clock in the first words, so no word alone). */
  private home(key: Uint32Array): number {
    let h = Math.imul(key[0]! ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ key[1]! ^ (h >>> 15), 0xc2b2ae35);
    h = Math.imul(h ^ key[2]! ^ (h >>> 13), 0x85ebca6b);
    h = Math.imul(h ^ key[3]! ^ (h >>> 16), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }
}

/** Parses a canonical (lowercase) UUID's 32 hex digits into four words; false (and `out` left partly written) when `id` is not one. */
export function parseUuid(id: string, out: Uint32Array): boolean {
  if (id.length !== 36) return false;
  let word = 0;
  let digits = 0;
  let w = 0;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
      continue;
    }
    let v: number;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 97 && c <= 102) v = c - 87;
    // Upper case too would make "A…" and "a…", two different eventIds, one key.
    else return false;
    word = (word << 4) | v;
    if (++digits === 8) {
      out[w++] = word >>> 0;
      word = 0;
      digits = 0;
    }
  }
  return true;
}
