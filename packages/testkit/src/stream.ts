import type { EventType, Price, Product, ProductEvent } from '@freshet/schemas';
import { BAD_INPUT_CASES, type BadInput, badInput } from './bad-inputs.js';
import {
  type CatalogEntry,
  catalogProduct,
  editProductText,
  imageUrl,
  productId,
  reprice,
  snapPrice,
} from './catalog.js';
import { IndexFold } from './oracle.js';
import { Rng } from './rng.js';
import { ZipfSampler } from './zipf.js';

/** Why an item is in the stream besides the realistic mix (for assertions and debugging). */
export type Injection =
  | 'late'
  | 'duplicate'
  | 'unchangedText'
  | 'deleteThenOlderUpdate'
  | 'deleteThenNewerCreate'
  | 'tombstone'
  | 'bad';

/**
 * One record to produce on the input topic, keyed by product id: an Avro event, a Kafka tombstone
 * (null value), or bad input the router must send to the DLQ.
 */
export type StreamItem =
  | { kind: 'event'; event: ProductEvent; injected?: Injection }
  | { kind: 'tombstone'; productId: string }
  | { kind: 'bad'; input: BadInput };

/** The Kafka key of an item. */
export function itemKey(item: StreamItem): string {
  return item.kind === 'event'
    ? item.event.productId
    : item.kind === 'tombstone'
      ? item.productId
      : item.input.key;
}

/** Relative weights of the ordinary events (missing kinds weigh 0 when a mix is given). */
export interface EventMix {
  price: number;
  stock: number;
  text: number;
  create: number;
  delete: number;
}

/** DESIGN §8: 70% price/stock, 20% text edits, 7% creates, 3% deletes. */
export const DEFAULT_MIX: Readonly<EventMix> = {
  price: 0.4,
  stock: 0.3,
  text: 0.2,
  create: 0.07,
  delete: 0.03,
};

/** Injected trouble, each a fraction of the items (a delete-then-x pair counts once). All default to 0. */
export interface StreamFaults {
  /** Events emitted late: right after a newer event of the same product. */
  outOfOrder?: number;
  /** An earlier event emitted again with the same eventId (from the last 256 events). */
  duplicates?: number;
  /** UPDATEs whose embedding text is the indexed state's (only imageUrl changes): no embedding call due. */
  unchangedTextUpdates?: number;
  /** A DELETE, then an UPDATE with a lower version (must not resurrect). */
  deleteThenOlderUpdate?: number;
  /** A DELETE, then a CREATE with a higher version (must bring the product back). */
  deleteThenNewerCreate?: number;
  /** Kafka tombstones (null value) of existing products. */
  tombstones?: number;
  /** Bad records (see badInputs) keyed by existing products. */
  badInputs?: number;
}

export interface StreamOptions extends StreamFaults {
  seed: number;
  /** Products `p-000000 …` that exist at version 1 before the stream starts. */
  catalogSize: number;
  /** Items to generate (the warm-up is extra). */
  count: number;
  mix?: Partial<EventMix>;
  /** Zipf exponent of the product popularity (default 1.1). */
  zipfExponent?: number;
  /** Seed of the warm catalog (default: seed), as given to generateCatalog. */
  catalogSeed?: number;
  /** Put the catalog's CREATE (version 1) events first. Default false: produce catalogEvents() yourself. */
  warmUp?: boolean;
  /** occurredAt of the first event (default Date.now()); later events are `spacingMs` apart. */
  now?: number;
  spacingMs?: number;
}

interface SourceState {
  exists: boolean;
  /** Highest version the source has used for the product. */
  version: number;
  product: Product;
  images: number;
}

type ChangeKind = 'price' | 'stock' | 'text';

/** CREATE events at version 1 of catalog entries: the warm catalog the stream starts from. */
export function catalogEvents(
  entries: readonly CatalogEntry[],
  options: { seed?: number; now?: number; spacingMs?: number } = {},
): ProductEvent[] {
  const rng = Rng.for('freshet-warm-up', options.seed ?? 0);
  const now = options.now ?? Date.now();
  return entries.map((entry, i) => ({
    eventId: rng.uuid(),
    type: 'CREATE',
    productId: entry.productId,
    version: 1,
    occurredAt: now + i * (options.spacingMs ?? 0),
    product: entry.product,
    price: null,
    stock: null,
  }));
}

/**
 * A realistic, deterministic stream of product events over a warm catalog: the DESIGN §8 mix,
 * Zipf-skewed products, versions increasing per product, plus the trouble asked for. Versions are
 * what the source would send: the pipeline must make of them what `buildOracle` computes.
 */
export function generateEvents(options: StreamOptions): StreamItem[] {
  const rng = Rng.for('freshet-stream', options.seed);
  const catalogSeed = options.catalogSeed ?? options.seed;
  const mix = normaliseMix(options.mix);
  const zipf = new ZipfSampler(options.zipfExponent ?? 1.1);
  const special = specialProbabilities(options);
  const spacing = options.spacingMs ?? 1;
  let clock = options.now ?? Date.now();
  const tick = () => {
    const t = clock;
    clock += spacing;
    return t;
  };

  const states: SourceState[] = [];
  const stateOf = (index: number): SourceState => {
    let s = states[index];
    if (!s) {
      const product = catalogProduct(catalogSeed, index);
      s = { exists: true, version: 1, product, images: product.imageUrl === null ? 0 : 1 };
      states[index] = s;
    }
    return s;
  };
  // Popularity rank → catalog index, shuffled so hot products are spread over the id space.
  const order = rng.shuffle(Array.from({ length: options.catalogSize }, (_, i) => i));
  let nextIndex = options.catalogSize;

  const items: StreamItem[] = [];
  // What the pipeline will hold (the oracle's rules), next to the source's own state: they differ after
  // late events, and "unchanged text" must mean unchanged against what is indexed.
  const view = new IndexFold((id) => {
    const index = catalogIndex(id);
    return index !== null && index < options.catalogSize
      ? { exists: true, version: 1, product: catalogProduct(catalogSeed, index) }
      : null;
  });
  const push = (item: StreamItem) => {
    items.push(item);
    view.apply(item);
  };
  if (options.warmUp) {
    const entries = Array.from({ length: options.catalogSize }, (_, i) => ({
      productId: productId(i),
      product: stateOf(i).product,
    }));
    for (const event of catalogEvents(entries, { seed: options.seed, now: tick() }))
      items.push({ kind: 'event', event });
  }
  const target = items.length + options.count;
  const recent: ProductEvent[] = [];

  const emit = (event: ProductEvent, injected?: Injection) => {
    push(injected ? { kind: 'event', event, injected } : { kind: 'event', event });
    recent.push(event);
    if (recent.length > 256) recent.shift();
  };
  const event = (
    index: number,
    type: EventType,
    parts: { product?: Product; price?: Price; stock?: number },
  ) => {
    const s = stateOf(index);
    s.version += 1;
    return {
      eventId: rng.uuid(),
      type,
      productId: productId(index),
      version: s.version,
      occurredAt: tick(),
      product: parts.product ?? null,
      price: parts.price ?? null,
      stock: parts.stock ?? null,
    } satisfies ProductEvent;
  };
  // Changes follow popularity (Zipf); removals pick uniformly, as shops retire their long tail rather
  // than their bestsellers (a Zipf-picked delete kills every hot product within a few dozen events).
  const pickExisting = (popular = true): number | null => {
    for (let attempt = 0; attempt < 64; attempt++) {
      const rank = popular ? zipf.sample(order.length, rng.next) : rng.int(1, order.length);
      const index = order[rank - 1] as number;
      if (stateOf(index).exists) return index;
    }
    return null;
  };
  const create = (): ProductEvent => {
    const index = nextIndex++;
    const s = stateOf(index);
    s.version = 0;
    order.splice(rng.int(0, order.length), 0, index);
    return event(index, 'CREATE', { product: s.product });
  };
  /** A price, stock or text change of an existing product, applied to the source state. */
  const change = (index: number, kind: ChangeKind): ProductEvent => {
    const s = stateOf(index);
    if (kind === 'price') {
      const price = s.product.price
        ? reprice(s.product.price, Math.min(1.5, Math.max(0.5, 1 + rng.normal() * 0.08)), rng.next())
        : { amountMinor: snapPrice(rng.int(500, 20_000), 'USD', rng.next()), currency: 'USD' };
      s.product = { ...s.product, price };
      return event(index, 'PRICE_CHANGE', { price });
    }
    if (kind === 'stock') {
      let stock = rng.chance(0.15) ? 0 : rng.int(1, 500);
      if (stock === s.product.stock) stock += 1;
      s.product = { ...s.product, stock };
      return event(index, 'STOCK_UPDATE', { stock });
    }
    s.product = editProductText(s.product, rng);
    return event(index, 'UPDATE', { product: s.product });
  };
  const changeKind = (): ChangeKind => {
    const weights = { price: mix.price, stock: mix.stock, text: mix.text };
    return weights.price + weights.stock + weights.text > 0 ? rng.weighted(weights) : 'price';
  };

  while (items.length < target) {
    const s = special(rng.next());
    const index = s === null ? null : pickExisting(!REMOVALS.has(s));
    if (s !== null && index !== null) {
      const state = stateOf(index);
      switch (s) {
        case 'outOfOrder': {
          const older = change(index, changeKind());
          const newer = change(index, changeKind());
          emit(newer);
          emit(older, 'late');
          continue;
        }
        case 'duplicates': {
          const original = recent.length > 0 ? rng.pick(recent) : null;
          if (original) {
            push({ kind: 'event', event: { ...original }, injected: 'duplicate' });
            continue;
          }
          break;
        }
        case 'unchangedTextUpdates': {
          const indexed = view.get(productId(index)).product;
          if (!indexed) break;
          state.images += 1;
          state.product = { ...indexed, imageUrl: imageUrl(productId(index), state.images) };
          emit(event(index, 'UPDATE', { product: state.product }), 'unchangedText');
          continue;
        }
        case 'deleteThenOlderUpdate': {
          const update = change(index, 'text');
          state.exists = false;
          emit(event(index, 'DELETE', {}), 'deleteThenOlderUpdate');
          emit(update, 'deleteThenOlderUpdate');
          continue;
        }
        case 'deleteThenNewerCreate': {
          state.exists = false;
          emit(event(index, 'DELETE', {}), 'deleteThenNewerCreate');
          state.product = editProductText(state.product, rng);
          state.exists = true;
          emit(event(index, 'CREATE', { product: state.product }), 'deleteThenNewerCreate');
          continue;
        }
        case 'tombstones':
          state.exists = false;
          push({ kind: 'tombstone', productId: productId(index) });
          continue;
        case 'badInputs':
          push({
            kind: 'bad',
            input: badInput(rng.pick(BAD_INPUT_CASES), productId(index), { seed: options.seed, now: tick() }),
          });
          continue;
      }
    }

    const kind = rng.weighted(mix);
    const existing = kind === 'create' ? null : pickExisting(kind !== 'delete');
    if (existing === null) {
      emit(create());
    } else if (kind === 'delete') {
      stateOf(existing).exists = false;
      emit(event(existing, 'DELETE', {}));
    } else emit(change(existing, kind as ChangeKind));
  }
  items.length = target;
  return items;
}

/** The catalog index of `p-000123`, or null for ids of another shape. */
function catalogIndex(id: string): number | null {
  const match = /^p-(\d+)$/.exec(id);
  return match ? Number(match[1]) : null;
}

function normaliseMix(mix: Partial<EventMix> | undefined): EventMix {
  const m: EventMix = mix
    ? {
        price: mix.price ?? 0,
        stock: mix.stock ?? 0,
        text: mix.text ?? 0,
        create: mix.create ?? 0,
        delete: mix.delete ?? 0,
      }
    : { ...DEFAULT_MIX };
  const values = Object.values(m);
  if (values.some((v) => !(v >= 0)) || values.reduce((a, b) => a + b, 0) <= 0) {
    throw new RangeError(`event mix weights must be ≥ 0 and not all 0, got ${JSON.stringify(mix)}`);
  }
  return m;
}

const REMOVALS = new Set<keyof StreamFaults>(['deleteThenOlderUpdate', 'tombstones']);
const PAIRS = new Set<keyof StreamFaults>(['outOfOrder', 'deleteThenOlderUpdate', 'deleteThenNewerCreate']);
const FAULT_KEYS: ReadonlyArray<keyof StreamFaults> = [
  'outOfOrder',
  'duplicates',
  'unchangedTextUpdates',
  'deleteThenOlderUpdate',
  'deleteThenNewerCreate',
  'tombstones',
  'badInputs',
];

/**
 * Per-iteration probabilities that make each fault the asked fraction of the items: a pair adds two
 * items, so with fractions f and pair sizes n, an iteration yields E = 1 / (1 − Σ f·(n−1)) items.
 */
function specialProbabilities(options: StreamFaults): (u: number) => keyof StreamFaults | null {
  let extra = 0;
  for (const key of FAULT_KEYS) {
    const f = options[key] ?? 0;
    if (!(f >= 0 && f <= 1)) throw new RangeError(`${key} must be a fraction in [0, 1], got ${f}`);
    if (PAIRS.has(key)) extra += f;
  }
  const perIteration = 1 / (1 - extra);
  const thresholds: Array<[keyof StreamFaults, number]> = [];
  let cumulative = 0;
  for (const key of FAULT_KEYS) {
    const q = (options[key] ?? 0) * perIteration;
    if (q === 0) continue;
    cumulative += q;
    thresholds.push([key, cumulative]);
  }
  if (cumulative > 1) throw new RangeError('the injected fractions add up to more than the whole stream');
  return (u) => {
    for (const [key, limit] of thresholds) if (u < limit) return key;
    return null;
  };
}
