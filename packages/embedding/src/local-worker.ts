// One inference worker of the `local` provider (local-provider.ts): loads the model once, then embeds the
// batches it is sent. It runs in a worker thread so a long batch never blocks the event loop that answers
// Kafka heartbeats (DESIGN §3).
//
// ONNX Runtime and the model's own tokenizer, nothing else: transformers.js (which wraps the same two)
// also loads sharp/libvips and its own tensor layer, ~25 MB of RSS per worker for nothing a sentence
// embedding needs (README, Libraries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Tokenizer } from '@huggingface/tokenizers';
import type {
  InferenceRequest,
  InferenceResult,
  StopRequest,
  WorkerSetup,
  WorkerStatus,
} from './local-protocol.js';
import { encodeBatch, poolAndNormalize, releaseNow } from './local-tensors.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('local-worker.js runs as a worker thread only');

// onnxruntime-node reads this before loading its binding; the package sets it too, this keeps it off
// whatever the load order.
process.env.ORT_DISABLE_TELEMETRY = '1';
const ort = await import('onnxruntime-node');

interface Loaded {
  tokenizer: Tokenizer;
  session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  padId: number;
  /** The model takes token_type_ids (BERT does); all zeros for one sentence. */
  typeIds: boolean;
  output: string;
}
let loaded: Loaded;
try {
  const dir = join(setup.modelsDir, setup.folder);
  const json = (file: string): object => JSON.parse(readFileSync(join(dir, file), 'utf8')) as object;
  const config = json('tokenizer_config.json') as { pad_token?: string };
  const tokenizer = new Tokenizer(json('tokenizer.json'), config);
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model_quantized.onnx'), {
    // Threads per worker are bounded so N workers × threads never oversubscribe the cores.
    intraOpNumThreads: setup.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    // No arena: it keeps its high-water mark of activations (+10–17 MB RSS under a backlog). But a memory
    // pattern: one planned block per run instead of a malloc per operator output. Under the stages' mmap
    // threshold (128 KB, deploy/local/service) each such output was its own mmap, munmap and page faults:
    // 11 CPU-ms per text, against ~6.5 with the pattern, at the same RSS (README, the local provider).
    enableCpuMemArena: false,
    enableMemPattern: true,
    // With two or more threads, the pool's threads sleep when a run has no parallel work for them instead of
    // spinning: spinning bought ~10 % less wall time for ~10 % more CPU per text, CPU that Kafka, Milvus
    // and the other stages on the same cores need (README, the local provider).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const padId = tokenizer.token_to_id(config.pad_token ?? '[PAD]');
  if (padId === undefined) throw new Error(`the tokenizer has no pad token ${config.pad_token ?? '[PAD]'}`);
  const output = session.outputNames.includes('last_hidden_state')
    ? 'last_hidden_state'
    : session.outputNames[0];
  if (!output) throw new Error('the model has no output');
  loaded = { tokenizer, session, padId, typeIds: session.inputNames.includes('token_type_ids'), output };
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

port.on('message', (request: InferenceRequest | StopRequest) => {
  if (request.type === 'stop') {
    // The provider sends this only while the worker is idle; closing the port lets the thread end.
    Promise.resolve(loaded.session.release()).finally(() => port.close());
    return;
  }
  embed(request).then(post, (error: unknown) =>
    post({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) }),
  );
});

async function embed({ id, texts }: InferenceRequest): Promise<InferenceResult> {
  const { tokenizer, session, padId, typeIds, output } = loaded;
  // Truncated at the model's limit with its own tokenizer: a long text is cut, never a failed batch.
  const batch = encodeBatch(
    texts.map((text) => tokenizer.encode(text).ids),
    setup.maxTokens,
    padId,
  );
  const shape = [texts.length, batch.length];
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
    input_ids: new ort.Tensor('int64', batch.ids, shape),
    attention_mask: new ort.Tensor('int64', batch.mask, shape),
  };
  if (typeIds) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(batch.ids.length), shape);
  const result = await session.run(feeds, [output]);
  const hidden = result[output];
  if (!hidden || hidden.type !== 'float32' || hidden.dims.length !== 3) {
    throw new Error(`the model's ${output} is not a float32 [batch, tokens, dimension] tensor`);
  }
  const dimension = hidden.dims[2]!;
  const tokenVectors = hidden.data as Float32Array;
  const vectors = poolAndNormalize(tokenVectors, batch, dimension, setup.pooling);
  // The token vectors (72 KB for the default one text × 48 tokens × 384; 786 KB for 8 × 64) live outside
  // this thread's V8 heap, which frees them only at its next collection, and a thread allocating this little
  // on its heap collects rarely (a loop of runs alone held up to ~45 MB of them). Freed here, at once (README,
  // the local provider).
  releaseNow(tokenVectors);
  const tokens = batch.lengths.reduce((sum, n) => sum + n, 0);
  return { type: 'result', id, vectors, dimension, truncated: batch.truncated, tokens };
}

function post(message: WorkerStatus | InferenceResult): void {
  // The vectors are transferred (not cloned) back to the caller.
  if (message.type === 'result') port!.postMessage(message, [message.vectors.buffer as ArrayBuffer]);
  else port!.postMessage(message);
}
