import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Price, Product } from '@freshet/schemas';
import {
  BOOK_WORDS,
  COLORS,
  FOREIGN_ASIDES,
  GENERIC_EMOJI,
  GENERIC_SENTENCES,
  GENERIC_TAGS,
  KINDS,
  type Language,
  LOCAL_TAGS,
  OPENERS,
  type ProductKind,
} from './catalog-vocabulary.js';
import { Rng } from './rng.js';

/** One line of a catalog JSONL file. */
export interface CatalogEntry {
  productId: string;
  product: Product;
}

export interface CatalogOptions {
  count: number;
  seed: number;
  /** Index of the first product (default 0): `p-000000`, `p-000001`, … */
  start?: number;
}

export const CURRENCIES = ['USD', 'EUR', 'VND', 'JPY', 'CNY'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** ISO 4217 minor-unit exponent: VND and JPY have no minor unit, so amountMinor is whole đồng / yen. */
export const MINOR_UNIT_EXPONENT: Readonly<Record<Currency, number>> = {
  USD: 2,
  EUR: 2,
  VND: 0,
  JPY: 0,
  CNY: 2,
};

/** Description length bounds, in words (see descriptionWords). */
export const DESCRIPTION_WORDS = { min: 30, max: 200 } as const;

const LANGUAGE_WEIGHTS: Record<Language, number> = { en: 0.78, vi: 0.12, zh: 0.1 };
const CURRENCY_BY_LANGUAGE: Record<Language, Partial<Record<Currency, number>>> = {
  en: { USD: 0.88, EUR: 0.1, JPY: 0.02 },
  vi: { VND: 0.85, USD: 0.15 },
  zh: { CNY: 0.8, USD: 0.1, JPY: 0.1 },
};
const USD_RATE: Record<Currency, number> = { USD: 1, EUR: 0.92, VND: 25_400, JPY: 150, CNY: 7.2 };
const MODEL_PREFIXES = [
  'Air',
  'Pro',
  'Flow',
  'Aero',
  'Studio',
  'Go',
  'Max',
  'One',
  'Lite',
  'Neo',
  'Quiet',
  'Core',
];
const AUTHORS: Record<Language, readonly string[]> = {
  en: ['Maren Holt', 'Daniel Okafor', 'Priya Natarajan', 'Tomas Reyes', 'Ellen Marsh'],
  vi: ['Nguyễn Ngọc Tư', 'Trần Minh Khôi', 'Lê Thu Hà', 'Phạm Quốc Bảo'],
  zh: ['林清', '王晓雨', '陈默', '李远'],
};

const TOTAL_KIND_WEIGHT = KINDS.reduce((sum, k) => sum + k.weight, 0);

/** `p-000123`: the product id of catalog index 123. */
export function productId(index: number): string {
  return `p-${String(index).padStart(6, '0')}`;
}

/** Catalog products `start … start+count-1` for `seed`. Product i is the same whatever the count. */
export function generateCatalog(options: CatalogOptions): CatalogEntry[] {
  const start = options.start ?? 0;
  return Array.from({ length: options.count }, (_, i) => ({
    productId: productId(start + i),
    product: catalogProduct(options.seed, start + i),
  }));
}

/** The catalog product at `index` for `seed` (its own PRNG stream: independent of every other product). */
export function catalogProduct(seed: number, index: number): Product {
  const rng = Rng.for('freshet-catalog', seed, index);
  const kind = pickKind(rng);
  const language = rng.weighted(LANGUAGE_WEIGHTS);
  const id = productId(index);
  const brand = rng.pick(kind.brands);
  const model = `${rng.pick(MODEL_PREFIXES)} ${rng.int(2, 9)}${rng.pick(['', '0', '00', 'S', 'X'])}`;
  const name = rng.pick(kind.names[language]);
  const color = rng.pick(COLORS);
  const material = rng.pick(kind.materials);
  const size = kind.sizes ? rng.pick(kind.sizes) : null;

  const attributes: Record<string, string> = {};
  if (kind.titleMaker !== 'book') {
    attributes.color = color[language];
    attributes.model = model;
  } else attributes.author = rng.pick(AUTHORS[language]);
  attributes.material = material;
  if (size !== null) attributes.size = size;
  for (const [key, values] of Object.entries(kind.attributes))
    if (rng.chance(0.7)) attributes[key] = rng.pick(values);
  attributes.sku = `SKU-${(index * 7919 + 104_729).toString(36).toUpperCase()}`;
  attributes.warranty = `${rng.int(1, 3)} year`;

  const title =
    kind.titleMaker === 'book'
      ? bookTitle(rng, language, kind, name)
      : productTitle(rng, language, kind, { brand, model, name, color });
  const fill = {
    brand,
    model,
    name,
    a_name: `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`,
    color: color[language],
    material,
  };
  const tags = [
    ...rng.sample(kind.tags, rng.int(2, Math.min(5, kind.tags.length))),
    ...(rng.chance(0.4) ? [rng.pick(GENERIC_TAGS)] : []),
    ...(LOCAL_TAGS[language].length > 0 && rng.chance(0.5) ? [rng.pick(LOCAL_TAGS[language])] : []),
  ];
  const currency = rng.weighted(CURRENCY_BY_LANGUAGE[language] as Record<Currency, number>);
  const usd = Math.exp(Math.log(kind.usd[0]) + rng.next() * (Math.log(kind.usd[1]) - Math.log(kind.usd[0])));

  return {
    title,
    description: describe(rng, language, kind, fill),
    category: kind.category,
    brand: rng.chance(0.04) ? null : brand,
    tags: [...new Set(tags)],
    attributes,
    price: rng.chance(0.01) ? null : { amountMinor: priceFromUsd(usd, currency, rng), currency },
    stock: rng.chance(0.01)
      ? null
      : rng.chance(0.08)
        ? 0
        : Math.floor(Math.exp(rng.next() * Math.log(500))) + 1,
    imageUrl: rng.chance(0.03) ? null : imageUrl(id, 1),
  };
}

export function imageUrl(id: string, n: number): string {
  return `https://images.example.com/products/${id}/${n}.jpg`;
}

/** The catalog kind of a category path (for tests and reports). */
export function kindsOf(category: string): string[] {
  return KINDS.filter((k) => k.category === category).map((k) => k.id);
}

function pickKind(rng: Rng): ProductKind {
  let x = rng.next() * TOTAL_KIND_WEIGHT;
  for (const kind of KINDS) {
    x -= kind.weight;
    if (x < 0) return kind;
  }
  return KINDS[KINDS.length - 1] as ProductKind;
}

const SMALL_WORDS = new Set(['with', 'for', 'and', 'of', 'the', 'a', 'in', 'on']);
function titleCase(phrase: string): string {
  return phrase
    .split(' ')
    .map((w, i) => (i > 0 && SMALL_WORDS.has(w) ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

function productTitle(
  rng: Rng,
  language: Language,
  kind: ProductKind,
  p: { brand: string; model: string; name: string; color: Readonly<Record<Language, string>> },
): string {
  let title: string;
  const withColor = rng.chance(0.4);
  if (language === 'en')
    title = `${p.brand} ${p.model} ${titleCase(p.name)}${withColor ? `, ${p.color.en}` : ''}`;
  else if (language === 'vi') {
    const name = p.name.charAt(0).toUpperCase() + p.name.slice(1);
    title = `${name} ${p.brand} ${p.model}${withColor ? ` - Màu ${p.color.vi}` : ''}`;
  } else title = `${p.brand} ${p.model} ${p.name}${withColor ? ` ${p.color.zh}` : ''}`;
  if (rng.chance(0.1)) title = `${title} ${rng.pick([...kind.emoji, ...GENERIC_EMOJI])}`;
  return title;
}

function bookTitle(rng: Rng, language: Language, kind: ProductKind, name: string): string {
  const { adjectives, nouns } = BOOK_WORDS[language];
  const adjective = rng.pick(adjectives);
  const noun = rng.pick(nouns);
  let title: string;
  if (language === 'en') {
    title =
      kind.id === 'book-fiction'
        ? rng.chance(0.5)
          ? `The ${adjective} ${noun}`
          : `${noun} of the ${adjective} ${rng.pick(nouns)}`
        : `The ${adjective} ${noun}: ${titleCase(name)}`;
    if (kind.id === 'book-fiction' && rng.chance(0.3)) title += ': A Novel';
  } else if (language === 'vi') title = `${noun} ${adjective}`;
  else title = `${adjective}${noun}`;
  if (rng.chance(0.08)) title = `${title} ${rng.pick(kind.emoji)}`;
  return title;
}

const HAN = /\p{Script=Han}/gu;

/**
 * Words of a text: whitespace-separated tokens, with Chinese counted at ~1.7 characters a word
 * (it has no spaces), so 30–200 words means the same reading length in every language.
 */
export function descriptionWords(text: string): number {
  const han = text.match(HAN)?.length ?? 0;
  const rest = text
    .replace(HAN, ' ')
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return rest + Math.round(han / 1.7);
}

function fillIn(template: string, rng: Rng, fill: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) =>
    key === 'n' ? String(rng.int(2, 9)) : (fill[key] ?? ''),
  );
}

function describe(
  rng: Rng,
  language: Language,
  kind: ProductKind,
  fill: Readonly<Record<string, string>>,
): string {
  // Skewed towards short descriptions, as real listings are; capped by DESCRIPTION_WORDS.
  const target =
    DESCRIPTION_WORDS.min + Math.floor((DESCRIPTION_WORDS.max - DESCRIPTION_WORDS.min) * rng.next() ** 1.7);
  const joiner = language === 'zh' ? '' : ' ';
  const sentences = [fillIn(rng.pick(OPENERS[language]), rng, fill)];
  let words = descriptionWords(sentences[0] as string);
  const add = (sentence: string): boolean => {
    const n = descriptionWords(sentence);
    if (words + n > DESCRIPTION_WORDS.max) return false;
    sentences.push(sentence);
    words += n;
    return true;
  };
  const pool = [
    ...rng.shuffle([...kind.features[language]]),
    ...rng.shuffle([...GENERIC_SENTENCES[language]]),
  ];
  for (const template of pool) {
    if (words >= target) break;
    add(fillIn(template, rng, fill));
  }
  while (words < DESCRIPTION_WORDS.min) {
    if (!add(fillIn(rng.pick(GENERIC_SENTENCES[language]), rng, fill))) break;
  }
  if (language === 'en' && rng.chance(0.06)) add(rng.pick(FOREIGN_ASIDES));
  if (rng.chance(0.15)) {
    const at = rng.int(1, sentences.length);
    sentences.splice(at, 0, rng.pick([...kind.emoji, ...GENERIC_EMOJI]));
  }
  return sentences.join(joiner);
}

/** A realistic amount in `currency` for a US-dollar price: $49.99, €45.99, 1.290.000 ₫, ¥12,800, ¥359.00. */
export function priceFromUsd(usd: number, currency: Currency, rng: Rng): number {
  const raw = usd * USD_RATE[currency] * 10 ** MINOR_UNIT_EXPONENT[currency];
  return snapPrice(raw, currency, rng.next());
}

/**
 * Rounds a raw minor amount to the price points shops use: x.99 / x.95 / x.49 in USD and EUR, whole
 * yuan ending in 9, yen in tens, đồng in thousands. `u` in [0, 1) picks the ending.
 */
export function snapPrice(rawMinor: number, currency: Currency, u: number): number {
  switch (currency) {
    case 'USD':
    case 'EUR': {
      const units = Math.max(1, Math.round(rawMinor / 100));
      const ending = u < 0.6 ? 99 : u < 0.8 ? 95 : u < 0.9 ? 49 : 100;
      return (units - 1) * 100 + ending;
    }
    case 'CNY': {
      const yuan = Math.max(9, Math.round(rawMinor / 100));
      return (yuan - (yuan % 10) + 9) * 100;
    }
    case 'JPY':
      return Math.max(
        100,
        Math.round(rawMinor / (u < 0.5 ? 100 : 10)) * (u < 0.5 ? 100 : 10) - (u < 0.25 ? 20 : 0),
      );
    case 'VND':
      return Math.max(10_000, Math.round(rawMinor / 10_000) * 10_000 - (u < 0.5 ? 1_000 : 0));
  }
}

/** A price moved by a factor (a repricing), snapped to the currency's price points and never unchanged. */
export function reprice(price: Price, factor: number, u: number): Price {
  const currency = (CURRENCIES as readonly string[]).includes(price.currency)
    ? (price.currency as Currency)
    : 'USD';
  let amountMinor = snapPrice(price.amountMinor * factor, currency, u);
  if (amountMinor === price.amountMinor)
    amountMinor += currency === 'VND' ? 10_000 : currency === 'JPY' ? 100 : 100;
  return { amountMinor, currency: price.currency };
}

// Brands are taken out even when `brand` is null (an unknown brand field, still named in the text).
const ALL_BRANDS = [...new Set(KINDS.flatMap((k) => k.brands))];
const VIETNAMESE = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/iu;

/**
 * The language a product was written in, read from the opening sentence of its description with the
 * brand taken out (brands and a few asides mix languages; the opener never does).
 */
export function productLanguage(product: Product): Language {
  let opener = firstSentence(product.description);
  for (const brand of ALL_BRANDS) opener = opener.split(brand).join(' ');
  if (/\p{Script=Han}/u.test(opener)) return 'zh';
  if (VIETNAMESE.test(opener)) return 'vi';
  return 'en';
}

function firstSentence(description: string): string {
  return /^[^.。!?]*[.。!?]?/u.exec(description)?.[0] ?? description;
}

const TITLE_SUFFIXES: Record<Language, readonly string[]> = {
  en: ['(2025 Edition)', '- New Packaging', '(Renewed)', '- Bundle with Case', '(Upgraded)'],
  vi: ['(Phiên bản 2025)', '- Mẫu mới', '(Hàng chính hãng)'],
  zh: ['（2025新款）', '升级版', '（官方标配）'],
};
const EDIT_SENTENCES: Record<Language, readonly string[]> = {
  en: [
    'Now available in a refreshed finish.',
    'Updated listing: improved packaging and a longer warranty.',
    'New for this season: a recycled {material} option.',
    'Customer favourite, restocked by popular demand.',
  ],
  vi: ['Phiên bản mới với bao bì cải tiến.', 'Hàng về thêm theo yêu cầu của khách hàng.'],
  zh: ['全新包装，品质升级。', '应广大顾客要求，现已补货。'],
};

/**
 * A text edit (UPDATE with a changed title or description): a new title suffix, an appended or
 * rewritten description, or a new color. The embedding text always changes.
 */
export function editProductText(product: Product, rng: Rng): Product {
  const language = productLanguage(product);
  const joiner = language === 'zh' ? '' : ' ';
  const edit = rng.weighted({ title: 0.35, append: 0.35, rewrite: 0.15, color: 0.15 });
  const material = product.attributes.material ?? 'cotton';
  let next: Product;
  if (edit === 'title') {
    const base = stripSuffix(product.title, language);
    const options = TITLE_SUFFIXES[language].filter((s) => `${base} ${s}` !== product.title);
    next = { ...product, title: `${base} ${rng.pick(options)}` };
  } else if (edit === 'color' && product.attributes.color !== undefined) {
    const colors = COLORS.map((c) => c[language]).filter((c) => c !== product.attributes.color);
    const color = rng.pick(colors);
    next = { ...product, attributes: { ...product.attributes, color } };
  } else if (edit === 'rewrite' || descriptionWords(product.description) > DESCRIPTION_WORDS.max - 20) {
    // The opener stays first: it is what the listing's language is read from.
    const [opener = '', ...rest] = product.description.split(
      language === 'zh' ? /(?<=。)/u : /(?<=[.!?])\s+/u,
    );
    const rewritten = [opener, ...rng.shuffle(rest)].join(joiner);
    next = {
      ...product,
      description:
        rewritten === product.description
          ? `${rewritten}${joiner}${fillIn(rng.pick(EDIT_SENTENCES[language]), rng, { material })}`
          : rewritten,
    };
  } else {
    const sentence = fillIn(rng.pick(EDIT_SENTENCES[language]), rng, { material });
    next = { ...product, description: `${product.description}${joiner}${sentence}` };
  }
  // A color edit also touches the title when the title names the old color.
  if (edit === 'color' && product.attributes.color !== undefined && next.attributes.color !== undefined) {
    next = { ...next, title: product.title.replace(product.attributes.color, next.attributes.color) };
  }
  if (next.title === product.title && next.description === product.description) {
    next = {
      ...next,
      description: `${product.description}${joiner}${fillIn(rng.pick(EDIT_SENTENCES[language]), rng, { material })}`,
    };
  }
  return next;
}

function stripSuffix(title: string, language: Language): string {
  for (const suffix of TITLE_SUFFIXES[language])
    if (title.endsWith(` ${suffix}`)) return title.slice(0, -suffix.length - 1);
  return title;
}

/** JSONL, one `{ "productId", "product" }` per line; creates the folder. Returns the number written. */
export async function writeCatalogJsonl(path: string, entries: Iterable<CatalogEntry>): Promise<number> {
  const lines: string[] = [];
  for (const entry of entries)
    lines.push(JSON.stringify({ productId: entry.productId, product: entry.product }));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  return lines.length;
}

/** Reads a catalog JSONL file written by writeCatalogJsonl (blank lines skipped; a bad line names its number). */
export async function readCatalogJsonl(path: string): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      throw new Error(`${path}:${n}: not JSON`, { cause });
    }
    const entry = parsed as Partial<CatalogEntry> | null;
    if (typeof entry?.productId !== 'string' || typeof entry.product !== 'object' || entry.product === null) {
      throw new Error(`${path}:${n}: expected { "productId": string, "product": {...} }`);
    }
    entries.push({ productId: entry.productId, product: entry.product });
  }
  return entries;
}
