import { randomUUID } from 'node:crypto';
import type { Price, Product, ProductEvent } from '@freshet/schemas';

const TITLES = [
  'Wireless noise cancelling headphones',
  'Tai nghe không dây chống ồn',
  '无线降噪耳机 🎧',
  'Chef knife 20 cm, forged steel',
  'Trail running shoes 👟',
  'Bluetooth speaker, waterproof',
  'Cotton t-shirt, organic',
  'Ấm siêu tốc inox 1.7L',
];

export function product(n: number, over: Partial<Product> = {}): Product {
  return {
    title: `${TITLES[n % TITLES.length]} #${n}`,
    description: `Model ${n}. ${TITLES[(n * 3) % TITLES.length]} — great value, ships fast.`,
    category: n % 5 === 0 ? null : ['audio', 'kitchen', 'sports', 'apparel'][n % 4]!,
    brand: n % 7 === 0 ? null : `Brand${n % 9}`,
    tags: n % 2 === 0 ? ['new', 'popular'] : [],
    attributes: { color: ['black', 'white', 'đỏ'][n % 3]!, warehouse: `W${n}` },
    price: n % 6 === 0 ? null : { amountMinor: 1000 + n * 37, currency: n % 4 === 0 ? 'EUR' : 'USD' },
    stock: n % 8 === 0 ? null : n % 3,
    imageUrl: null,
    ...over,
  };
}

export function event(
  productId: string,
  type: ProductEvent['type'],
  version: number,
  parts: { product?: Product; price?: Price; stock?: number } = {},
): ProductEvent {
  return {
    eventId: randomUUID(),
    type,
    productId,
    version,
    occurredAt: Date.now(),
    product: parts.product ?? null,
    price: parts.price ?? null,
    stock: parts.stock ?? null,
  };
}
