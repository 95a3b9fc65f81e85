// The main job of the README (deploy/local/demo): index the shipped sample catalog through the three
// running services and stream price/stock/text changes for a few seconds; deploy/local/demo then asks
// `freshet search` (packages/cli) for the answer.
import { catalogEvents, generateEvents, readCatalogJsonl, SAMPLE_CATALOG } from '@freshet/testkit';
import {
  connectKafka,
  type PipelineNames,
  produceItems,
  type StreamItem,
  waitDrained,
} from './support/pipeline.js';

const names: PipelineNames = {
  input: 'catalog.product-events',
  embed: 'freshet.embed-requests',
  index: 'freshet.index-writes',
  dlq: 'freshet.dlq',
  collection: 'products',
  groups: { router: 'freshet-router', embedder: 'freshet-embedder', writer: 'freshet-writer' },
};

async function main(): Promise<void> {
  const tk = await connectKafka(names, 6);
  const entries = await readCatalogJsonl(SAMPLE_CATALOG.path);
  const started = Date.now();
  await produceItems(
    tk,
    names.input,
    catalogEvents(entries).map((event): StreamItem => ({ kind: 'event', event })),
  );
  console.log(`produced ${entries.length} catalog products as CREATE events`);

  // A few seconds of live traffic: 70% price/stock, 20% text edits, 7% creates, 3% deletes.
  const stream = generateEvents({
    seed: 7,
    catalogSeed: SAMPLE_CATALOG.seed,
    catalogSize: entries.length,
    count: 3000,
  });
  const live = stream.filter((i): i is StreamItem => i.kind === 'event' || i.kind === 'tombstone');
  for (let i = 0; i < live.length; i += 300) {
    await produceItems(tk, names.input, live.slice(i, i + 300));
    await new Promise((r) => setTimeout(r, 400));
  }
  console.log(`streamed ${live.length} live changes`);
  await waitDrained(tk, names, 300000);
  console.log(`pipeline drained in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await tk.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
