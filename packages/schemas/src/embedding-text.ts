import { createHash } from 'node:crypto';
import type { Product } from './types.js';

export const TEMPLATE_VERSIONS = [1] as const;

export interface TextOptions {
  templateVersion: number;
  /** Attribute keys included in the text, in this order (DESIGN §3: "chosen attributes"). */
  attributes: readonly string[];
}

const clean = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

/**
 * The text a product is embedded from (template v1): title, brand, category, tags, description and the
 * chosen attributes — never price or stock, so a price or stock change never changes the text (§4.4).
 */
export function embeddingText(product: Product, options: TextOptions): string {
  if (options.templateVersion !== 1) throw new RangeError(`unknown embedding-text template version ${options.templateVersion}`);
  const lines = [clean(product.title)];
  if (product.brand) lines.push(`Brand: ${clean(product.brand)}`);
  if (product.category) lines.push(`Category: ${clean(product.category)}`);
  const tags = product.tags.map(clean).filter((t) => t.length > 0);
  if (tags.length > 0) lines.push(`Tags: ${tags.join(', ')}`);
  for (const key of options.attributes) {
    const value = product.attributes[key];
    if (value !== undefined && clean(value) !== '') lines.push(`${key}: ${clean(value)}`);
  }
  const description = clean(product.description);
  if (description) lines.push(description);
  return lines.join('\n');
}

/** sha256 of model id, dimension, template version and text (DESIGN §3), NUL-framed so fields cannot blur. */
export function contentHash(text: string, model: { model: string; dimension: number; templateVersion: number }): string {
  return createHash('sha256')
    .update(`${model.model}\u0000${model.dimension}\u0000${model.templateVersion}\u0000${text}`)
    .digest('hex');
}
