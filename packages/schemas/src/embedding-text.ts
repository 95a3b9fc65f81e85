import { createHash } from 'node:crypto';
import type { Product } from './types.js';

/** Template versions embeddingText() knows; FRESHET_TEMPLATE_VERSION must be one of them. */
export const TEMPLATE_VERSIONS: readonly number[] = [1, 2];

export interface TextOptions {
  templateVersion: number;
  /** Attribute keys that go into the text (DESIGN §3 "chosen attributes"); their order does not matter. */
  attributes: readonly string[];
}

export interface HashModel {
  model: string;
  dimension: number;
  templateVersion: number;
}

export class UnknownTemplateVersionError extends RangeError {
  override readonly name = 'UnknownTemplateVersionError';
  readonly code = 'FRESHET_TEMPLATE_VERSION_UNKNOWN';
  readonly canRetry = false;
  constructor(readonly templateVersion: number) {
    super(
      `embedding-text template version ${templateVersion} is unknown (known: ${TEMPLATE_VERSIONS.join(', ')})`,
    );
  }
}

// NFC leaves ASCII as it is, and the replace changes nothing where every whitespace run is one space:
// both are skipped then (most catalog text), with the same result (the content hash must not move).
const NON_ASCII = /[\u0080-\uffff]/;
const UNUSUAL_SPACE = /[^\S ]| {2}/;
const clean = (s: string) => {
  const nfc = NON_ASCII.test(s) ? s.normalize('NFC') : s;
  return (UNUSUAL_SPACE.test(nfc) ? nfc.replace(/\s+/g, ' ') : nfc).trim();
};

/**
 * The text a product is embedded from, one line each when present. Template v2 (the default): title,
 * `Brand:`, `Category:`, the chosen attributes as `key: value` sorted by key, `Tags:`, description.
 * v1 put the attributes last, where a model that truncates its input (the local MiniLM reads 64 tokens)
 * never sees them. Attributes are sorted so neither the producer's map order nor the order of
 * FRESHET_TEXT_ATTRIBUTES changes the hash.
 * Never price, stock or image: a price or stock change must not change the text (DESIGN §4.4).
 * Changing anything here changes every content hash: add a template version instead.
 */
export function embeddingText(product: Product, options: TextOptions): string {
  if (!TEMPLATE_VERSIONS.includes(options.templateVersion))
    throw new UnknownTemplateVersionError(options.templateVersion);
  const lines: string[] = [];
  const push = (prefix: string, value: string | null) => {
    const text = value === null ? '' : clean(value);
    if (text !== '') lines.push(`${prefix}${text}`);
  };
  push('', product.title);
  push('Brand: ', product.brand);
  push('Category: ', product.category);
  const attributes = () => {
    for (const key of [...new Set(options.attributes)].sort()) {
      // hasOwn: a chosen key such as `constructor` must not read Object.prototype.
      push(
        `${clean(key)}: `,
        Object.hasOwn(product.attributes, key) ? (product.attributes[key] ?? null) : null,
      );
    }
  };
  if (options.templateVersion >= 2) attributes();
  const tags = product.tags.map(clean).filter((t) => t !== '');
  if (tags.length > 0) lines.push(`Tags: ${tags.join(', ')}`);
  push('', product.description);
  if (options.templateVersion === 1) attributes();
  return lines.join('\n');
}

/**
 * sha256 hex of model id, dimension, template version and text (DESIGN §3), NUL-separated so no two
 * different inputs frame to the same bytes (the text comes last and is the only field that may hold NUL).
 */
export function contentHash(text: string, model: HashModel): string {
  return createHash('sha256')
    .update(`${model.model}\u0000${model.dimension}\u0000${model.templateVersion}\u0000${text}`)
    .digest('hex');
}
