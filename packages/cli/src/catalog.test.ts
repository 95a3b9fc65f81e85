import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SAMPLE_CATALOG } from '@freshet/testkit';
import { countLines, parseCatalogLine, readCatalog } from './catalog.js';

test('a sample-catalog line parses into the Avro Product shape', async () => {
  let first: ReturnType<typeof parseCatalogLine> = null;
  for await (const parsed of readCatalog(SAMPLE_CATALOG.path)) {
    first = parsed;
    break;
  }
  assert.ok(first?.ok);
  assert.equal(first.line, 1);
  assert.equal(first.entry.productId, 'p-000000');
  assert.equal(typeof first.entry.product.title, 'string');
  assert.ok(Array.isArray(first.entry.product.tags));
});

test('missing optional fields get the Avro defaults', () => {
  const parsed = parseCatalogLine(
    JSON.stringify({ productId: 'p', product: { title: 't', description: 'd' } }),
    3,
  );
  assert.deepEqual(parsed, {
    line: 3,
    ok: true,
    entry: {
      productId: 'p',
      product: {
        title: 't',
        description: 'd',
        category: null,
        brand: null,
        tags: [],
        attributes: {},
        price: null,
        stock: null,
        imageUrl: null,
      },
    },
  });
});

test('bad lines say what is wrong, with their line number', () => {
  const bad = (text: string) => {
    const parsed = parseCatalogLine(text, 7);
    assert.ok(parsed && !parsed.ok, text);
    assert.equal(parsed.line, 7);
    return parsed.error;
  };
  assert.match(bad('{nope'), /not JSON/);
  assert.match(bad('[1,2]'), /JSON object/);
  assert.match(bad('{"product":{"title":"t","description":"d"}}'), /productId/);
  assert.match(bad('{"productId":"p","product":{"title":1,"description":"d"}}'), /product\.title/);
  assert.match(
    bad(
      '{"productId":"p","product":{"title":"t","description":"d","price":{"amountMinor":1.5,"currency":"USD"}}}',
    ),
    /product\.price/,
  );
  assert.match(
    bad('{"productId":"p","product":{"title":"t","description":"d","stock":"3"}}'),
    /product\.stock/,
  );
  assert.match(
    bad('{"productId":"p","product":{"title":"t","description":"d","tags":[1]}}'),
    /product\.tags/,
  );
  assert.match(bad('{"productId":"p","version":"2","product":{"title":"t","description":"d"}}'), /version/);
});

test('business rules are left to the router: a negative price is a well-formed line', () => {
  const parsed = parseCatalogLine(
    JSON.stringify({
      productId: 'p',
      product: { title: 't', description: 'd', price: { amountMinor: -1, currency: 'usd' } },
    }),
    1,
  );
  assert.ok(parsed?.ok);
});

test('blank lines are skipped; resume starts at the given line; countLines counts a last line without newline', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-catalog-'));
  const file = join(dir, 'c.jsonl');
  const line = (id: string) => JSON.stringify({ productId: id, product: { title: id, description: '' } });
  writeFileSync(file, `${line('a')}\n\n${line('b')}\n${line('c')}`);
  const ids: Array<[number, string]> = [];
  for await (const p of readCatalog(file)) if (p.ok) ids.push([p.line, p.entry.productId]);
  assert.deepEqual(ids, [
    [1, 'a'],
    [3, 'b'],
    [4, 'c'],
  ]);
  const resumed: string[] = [];
  for await (const p of readCatalog(file, 4)) if (p.ok) resumed.push(p.entry.productId);
  assert.deepEqual(resumed, ['c']);
  assert.equal(await countLines(file), 4);
});
