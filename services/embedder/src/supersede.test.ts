import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collapseByVersion, type GuardedWrite, type IndexedState } from '@freshet/milvus';
import { type EventType, UNKNOWN_VERSION } from '@freshet/schemas';
import { mulberry32 } from '@freshet/testkit';
import { type Candidate, type Fate, fatesOfTexts } from './supersede.js';

const at = (offset: number, type: EventType, version: number): Candidate => ({ offset, type, version });
const tombstone = (offset: number) => at(offset, 'DELETE', UNKNOWN_VERSION);

describe('fatesOfTexts', () => {
  test('a hot product edited ten times: only the last text is left', () => {
    const edits = Array.from({ length: 10 }, (_, i) => at(i, i === 0 ? 'CREATE' : 'UPDATE', i + 1));
    const fates = fatesOfTexts(edits);
    assert.deepEqual(
      [...fates.keys()].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    for (const [i, fate] of fates) assert.deepEqual(fate, { kind: 'superseded', by: i + 1 });
  });

  test('price and stock changes between do not keep a text alive', () => {
    const fates = fatesOfTexts([
      at(0, 'UPDATE', 1),
      at(1, 'PRICE_CHANGE', 2),
      at(2, 'STOCK_UPDATE', 3),
      at(3, 'UPDATE', 4),
    ]);
    assert.deepEqual([...fates], [[0, { kind: 'superseded', by: 3 }]]);
  });

  test('a higher-version price change before the newer text keeps the text: the newer text will be stale', () => {
    assert.equal(fatesOfTexts([at(0, 'UPDATE', 1), at(1, 'PRICE_CHANGE', 5), at(2, 'UPDATE', 4)]).size, 0);
  });

  test('a higher version at an EARLIER offset supersedes (the text would be stale at the writer)', () => {
    assert.deepEqual(
      [...fatesOfTexts([at(0, 'UPDATE', 7), at(1, 'UPDATE', 3), at(2, 'DELETE', 9), at(3, 'UPDATE', 8)])],
      [
        [0, { kind: 'superseded', by: 2 }],
        [1, { kind: 'superseded', by: 0 }],
        [3, { kind: 'superseded', by: 2 }],
      ],
    );
  });

  test('a newer versioned delete supersedes; an older one does not', () => {
    assert.deepEqual(
      [...fatesOfTexts([at(0, 'UPDATE', 2), at(1, 'DELETE', 3)])],
      [[0, { kind: 'superseded', by: 1 }]],
    );
    assert.equal(fatesOfTexts([at(0, 'UPDATE', 4), at(1, 'DELETE', 3)]).size, 0);
  });

  test('a later Kafka tombstone turns the text into a delete at its version; an earlier one does nothing', () => {
    assert.deepEqual([...fatesOfTexts([at(0, 'UPDATE', 2), tombstone(1)])], [[0, { kind: 'delete' }]]);
    assert.equal(fatesOfTexts([tombstone(0), at(1, 'CREATE', 2)]).size, 0);
    // A higher version between the text and the tombstone: the guard would not end at the text's version.
    assert.equal(fatesOfTexts([at(0, 'UPDATE', 2), at(1, 'PRICE_CHANGE', 3), tombstone(2)]).size, 0);
  });

  test('equal versions (a duplicate) supersede nothing; the same offset twice is one record', () => {
    assert.equal(fatesOfTexts([at(0, 'UPDATE', 2), at(1, 'UPDATE', 2)]).size, 0);
    assert.equal(fatesOfTexts([at(5, 'UPDATE', 2), at(5, 'UPDATE', 2), tombstone(5)]).size, 0);
  });

  test('a disqualified record (refused by the API, batch given up) supersedes nothing', () => {
    const records = [at(0, 'UPDATE', 1), at(1, 'UPDATE', 2), at(2, 'UPDATE', 3)];
    assert.deepEqual([...fatesOfTexts(records, (i) => i === 2)], [[0, { kind: 'superseded', by: 1 }]]);
    assert.equal(
      fatesOfTexts(records, (i) => i >= 1).size,
      0,
      'nothing newer reaches the writer: the first text is embedded',
    );
  });
});

// The rule's contract: dropping the superseded texts (and turning the tombstone case into a versioned delete)
// leaves the writer in exactly the state it reaches from every record, for any state before, any batching of
// the writer, any mix of versions out of order, tombstones, duplicates and texts refused by the API. Checked
// against the writer's own version guard (collapseByVersion) on many random streams.
describe('fatesOfTexts against the writer’s version guard', () => {
  test('random streams: same final row and version guard with and without the left-out texts', () => {
    const rng = mulberry32(13);
    const types: EventType[] = ['CREATE', 'UPDATE', 'UPDATE', 'PRICE_CHANGE', 'STOCK_UPDATE', 'DELETE'];
    let checked = 0;
    let leftOut = 0;
    for (let run = 0; run < 20_000; run++) {
      const n = 1 + Math.floor(rng() * 8);
      const stream: Candidate[] = [];
      for (let i = 0; i < n; i++) {
        if (rng() < 0.12) stream.push(tombstone(100 + i));
        else stream.push(at(100 + i, types[Math.floor(rng() * types.length)]!, 1 + Math.floor(rng() * 7)));
      }
      const refused = new Set(stream.flatMap((c, i) => (isText(c) && rng() < 0.1 ? [i] : [])));
      const fates = fatesOfTexts(stream, (i) => refused.has(i));
      const start = randomState(rng);
      const cuts = stream.map(() => rng() < 0.4);
      const reference = replay(writes(stream, refused, new Map()), start, cuts);
      const latest = replay(writes(stream, refused, fates), start, cuts);
      assert.deepEqual(
        latest,
        reference,
        JSON.stringify({ stream, refused: [...refused], fates: [...fates], start }),
      );
      checked++;
      leftOut += fates.size;
    }
    assert.ok(leftOut > checked / 4, `the rule left out ${leftOut} texts in ${checked} streams`);
  });
});

const isText = (c: Candidate) => c.type === 'CREATE' || c.type === 'UPDATE';

/** The writes the embedder forwards: refused texts go to the DLQ, superseded ones nowhere, `delete` as a DELETE. */
function writes(
  stream: readonly Candidate[],
  refused: ReadonlySet<number>,
  fates: ReadonlyMap<number, Fate>,
) {
  const out: GuardedWrite[] = [];
  stream.forEach((c, i) => {
    if (refused.has(i)) return;
    const fate = fates.get(i);
    if (fate?.kind === 'superseded') return;
    const type: EventType = fate?.kind === 'delete' ? 'DELETE' : c.type;
    const op = type === 'DELETE' ? 'DELETE' : isText(c) ? 'UPSERT' : 'PARTIAL';
    out.push({
      op,
      eventId: `e${i}`,
      eventType: type,
      productId: 'p',
      version: c.version,
      occurredAt: c.version,
      title: op === 'UPSERT' ? `title ${c.version}` : null,
      category: null,
      brand: null,
      priceMinor: op === 'UPSERT' || type === 'PRICE_CHANGE' ? c.version * 100 + c.offset : null,
      currency: op === 'UPSERT' || type === 'PRICE_CHANGE' ? 'EUR' : null,
      stock: op === 'UPSERT' || type === 'STOCK_UPDATE' ? c.offset : null,
      contentHash: op === 'UPSERT' ? `hash ${c.version}` : null,
      model: null,
      dimension: 0,
      vector: null,
      sourceOffset: c.offset,
    });
  });
  return out;
}

interface Row {
  version: number;
  sourceOffset: number | null;
  title: string | null;
  priceMinor: number | null | undefined;
  stock: number | null | undefined;
}
interface Final {
  row: Row | null;
  tombstoneVersion: number | null;
  guard: number | null;
}

/** Applies writes as the writer does, in batches cut where `cuts` says, from `start`. */
function replay(all: readonly GuardedWrite[], start: Final, cuts: readonly boolean[]): Final {
  let state = start;
  let batch: GuardedWrite[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const indexed: IndexedState = {
      rowVersion: state.row?.version ?? null,
      tombstoneVersion: state.tombstoneVersion,
      rowSourceOffset: state.row?.sourceOffset ?? null,
    };
    const { plan } = collapseByVersion(batch, indexed);
    if (plan.kind === 'upsert')
      state = {
        ...state,
        row: {
          version: plan.version,
          sourceOffset: plan.sourceOffset,
          title: plan.write.title,
          priceMinor: plan.write.priceMinor,
          stock: plan.write.stock,
        },
      };
    else if (plan.kind === 'partial' && state.row)
      state = {
        ...state,
        row: {
          ...state.row,
          version: plan.version,
          sourceOffset: plan.sourceOffset,
          ...('priceMinor' in plan.fields ? { priceMinor: plan.fields.priceMinor } : {}),
          ...('stock' in plan.fields ? { stock: plan.fields.stock } : {}),
        },
      };
    else if (plan.kind === 'delete')
      state = { row: null, tombstoneVersion: plan.tombstoneVersion ?? state.tombstoneVersion, guard: null };
    // A row no newer than its tombstone is deleted by the next batch (collapseByVersion's leftover rule).
    batch = [];
  };
  all.forEach((w, i) => {
    batch.push(w);
    if (cuts[i]) flush();
  });
  flush();
  const leftover =
    state.row !== null && state.tombstoneVersion !== null && state.tombstoneVersion >= state.row.version;
  const row = leftover ? null : state.row;
  const versions = [row?.version, state.tombstoneVersion].filter((v): v is number => typeof v === 'number');
  // The tombstone's own version counts only through the guard (a row above it makes it irrelevant).
  return { row, tombstoneVersion: null, guard: versions.length ? Math.max(...versions) : null };
}

function randomState(rng: () => number): Final {
  const pick = rng();
  const v = Math.floor(rng() * 7);
  if (pick < 0.35) return { row: null, tombstoneVersion: null, guard: null };
  if (pick < 0.5) return { row: null, tombstoneVersion: v, guard: null };
  return {
    row: { version: v, sourceOffset: 0, title: 'before', priceMinor: 1, stock: 1 },
    tombstoneVersion: rng() < 0.3 ? Math.floor(rng() * 7) : null,
    guard: null,
  };
}
