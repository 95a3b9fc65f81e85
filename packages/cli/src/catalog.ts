import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Price, Product } from '@freshet/schemas';

/** One catalog product as the JSONL file gives it (packages/testkit/data/sample-catalog.jsonl). */
export interface CatalogLine {
  productId: string;
  product: Product;
  /** Optional source version and time; the command's defaults apply when absent. */
  version?: number;
  occurredAt?: number;
}

export type ParsedLine =
  | { line: number; ok: true; entry: CatalogLine }
  | { line: number; ok: false; error: string };

/**
 * Checks one JSONL line against the shape the Avro `Product` needs, so a bad line is reported with its
 * number and what is wrong instead of failing inside the encoder. Business rules (price ≥ 0, text
 * limits) stay the router's: the CLI is a producer, the router the validator.
 */
export function parseCatalogLine(text: string, line: number): ParsedLine | null {
  if (text.trim() === '') return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { line, ok: false, error: `not JSON (${(error as Error).message})` };
  }
  const problems: string[] = [];
  if (!isObject(raw)) return { line, ok: false, error: 'expected a JSON object { "productId", "product" }' };
  const productId = raw.productId;
  if (typeof productId !== 'string' || productId.length === 0)
    problems.push('productId: expected a non-empty string');
  const p = raw.product;
  if (!isObject(p)) problems.push('product: expected an object');
  const version = optionalInteger(raw.version, 'version', problems);
  const occurredAt = optionalInteger(raw.occurredAt, 'occurredAt', problems);
  let product: Product | undefined;
  if (isObject(p)) product = productOf(p, problems);
  if (problems.length > 0 || product === undefined || typeof productId !== 'string') {
    return { line, ok: false, error: problems.join('; ') };
  }
  return {
    line,
    ok: true,
    entry: {
      productId,
      product,
      ...(version !== undefined ? { version } : {}),
      ...(occurredAt !== undefined ? { occurredAt } : {}),
    },
  };
}

function productOf(p: Record<string, unknown>, problems: string[]): Product {
  const str = (name: string): string => {
    const v = p[name];
    if (typeof v !== 'string') problems.push(`product.${name}: expected a string`);
    return typeof v === 'string' ? v : '';
  };
  const nullableStr = (name: string): string | null => {
    const v = p[name];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') problems.push(`product.${name}: expected a string or null`);
    return typeof v === 'string' ? v : null;
  };
  const tags = p.tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
    problems.push('product.tags: expected an array of strings');
  const attributes = p.attributes ?? {};
  if (!isObject(attributes) || !Object.values(attributes).every((v) => typeof v === 'string'))
    problems.push('product.attributes: expected an object of strings');
  let stock: number | null = null;
  if (p.stock !== undefined && p.stock !== null) {
    if (!Number.isInteger(p.stock) || Math.abs(p.stock as number) > 2 ** 31 - 1)
      problems.push('product.stock: expected a 32-bit integer or null');
    else stock = p.stock as number;
  }
  return {
    title: str('title'),
    description: str('description'),
    category: nullableStr('category'),
    brand: nullableStr('brand'),
    tags: Array.isArray(tags) ? (tags as string[]) : [],
    attributes: isObject(attributes) ? (attributes as Record<string, string>) : {},
    price: priceOf(p.price, problems),
    stock,
    imageUrl: nullableStr('imageUrl'),
  };
}

function priceOf(v: unknown, problems: string[]): Price | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v) || !Number.isSafeInteger(v.amountMinor) || typeof v.currency !== 'string') {
    problems.push('product.price: expected { "amountMinor": integer, "currency": string } or null');
    return null;
  }
  return { amountMinor: v.amountMinor as number, currency: v.currency };
}

function optionalInteger(v: unknown, name: string, problems: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isSafeInteger(v)) {
    problems.push(`${name}: expected an integer`);
    return undefined;
  }
  return v as number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The file's lines, numbered from 1, parsed one at a time (catalogs can be larger than memory). */
export async function* readCatalog(path: string, fromLine = 1): AsyncGenerator<ParsedLine> {
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const text of lines) {
    n += 1;
    if (n < fromLine) continue;
    const parsed = parseCatalogLine(text, n);
    if (parsed) yield parsed;
  }
}

/** Lines in the file (for the progress bar's total), counted without parsing. */
export async function countLines(path: string): Promise<number> {
  let count = 0;
  let last = 10;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) if (buf[i] === 10) count++;
    if (buf.length > 0) last = buf[buf.length - 1]!;
  }
  return last === 10 ? count : count + 1;
}
