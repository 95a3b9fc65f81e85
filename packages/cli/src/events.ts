import { createHash } from 'node:crypto';
import type { ProductEvent } from '@freshet/schemas';
import type { CatalogLine } from './catalog.js';

export interface CreateDefaults {
  /** Version when the line has none (a catalog snapshot is version 1 unless the source says more). */
  version: number;
  /** occurredAt when the line has none. */
  occurredAt: number;
}

/**
 * A CREATE event for a catalog line. The eventId is derived from the product, version and content, so a
 * line sent twice (a resumed backfill re-sending its last unacknowledged batch) is the same event and the
 * router drops the copy (DESIGN §4.3).
 */
export function createEvent(entry: CatalogLine, defaults: CreateDefaults): ProductEvent {
  const version = entry.version ?? defaults.version;
  return {
    eventId: eventIdFor(entry, version),
    type: 'CREATE',
    productId: entry.productId,
    version,
    occurredAt: entry.occurredAt ?? defaults.occurredAt,
    product: entry.product,
    price: null,
    stock: null,
  };
}

function eventIdFor(entry: CatalogLine, version: number): string {
  const h = createHash('sha256')
    .update('freshet-catalog\0')
    .update(entry.productId)
    .update('\0')
    .update(String(version))
    .update('\0')
    .update(JSON.stringify(entry.product))
    .digest('hex');
  // RFC 4122 layout (version 5 style: name-based, SHA hash) so consumers expecting a uuid accept it.
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
