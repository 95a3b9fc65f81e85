// One inference worker of the `local` provider (local-provider.ts): loads the model once, then embeds the
// batches it is sent. It runs in a worker thread so a long batch never blocks the event loop that answers
// Kafka heartbeats (DESIGN §3).
import { parentPort, workerData } from 'node:worker_threads';
import type {
  InferenceRequest,
  InferenceResult,
  StopRequest,
  WorkerSetup,
  WorkerStatus,
} from './local-protocol.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('local-worker.js runs as a worker thread only');

// onnxruntime-node reads this before loading its binding; the package sets it too, this keeps it off
// whatever the load order.
process.env.ORT_DISABLE_TELEMETRY = '1';
const { AutoModel, AutoTokenizer, env, mean_pooling } = await import('@huggingface/transformers');

// Offline only: model files come from the install (deploy/local/install, the image), never the Hub.
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = setup.modelsDir.endsWith('/') ? setup.modelsDir : `${setup.modelsDir}/`;
env.useFSCache = false;

type Loaded = {
  tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  model: Awaited<ReturnType<typeof AutoModel.from_pretrained>>;
};
let loaded: Loaded;
try {
  const [tokenizer, model] = await Promise.all([
    AutoTokenizer.from_pretrained(setup.folder),
    AutoModel.from_pretrained(setup.folder, {
      dtype: 'q8',
      device: 'cpu',
      session_options: {
        // Threads per worker are bounded so N workers × threads never oversubscribe the cores; the arena
        // and memory pattern keep freed activations around for reuse, which costs RSS for little speed here.
        intraOpNumThreads: setup.threads,
        interOpNumThreads: 1,
        enableCpuMemArena: false,
        enableMemPattern: false,
      },
    }),
  ]);
  loaded = { tokenizer, model };
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

port.on('message', (request: InferenceRequest | StopRequest) => {
  if (request.type === 'stop') {
    // The provider sends this only while the worker is idle; closing the port lets the thread end.
    Promise.resolve(loaded.model.dispose()).finally(() => port.close());
    return;
  }
  embed(request).then(post, (error: unknown) =>
    post({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) }),
  );
});

async function embed({ id, texts }: InferenceRequest): Promise<InferenceResult> {
  const { tokenizer, model } = loaded;
  // Truncated at the model's limit with its own tokenizer: a long text is cut, never a failed batch.
  const inputs = tokenizer(texts, { padding: true, truncation: true, max_length: setup.maxTokens });
  const output = await model(inputs);
  const hidden = output.last_hidden_state;
  const pooled =
    setup.pooling === 'mean' ? mean_pooling(hidden, inputs.attention_mask) : hidden.slice(null, 0);
  const vectors = pooled.normalize(2, -1);
  const data = vectors.data as Float32Array;
  const dimension = vectors.dims[1]!;
  const lengths = (inputs.attention_mask.sum(1).data as BigInt64Array | number[]) ?? [];
  let truncated = 0;
  for (const n of lengths) if (Number(n) >= setup.maxTokens) truncated++;
  // Every output (not only the one used) holds ONNX Runtime memory until disposed or collected.
  for (const t of [
    inputs.input_ids,
    inputs.attention_mask,
    inputs.token_type_ids,
    pooled,
    ...Object.values(output),
  ]) {
    t?.dispose?.();
  }
  // A copy the size of the result only, transferred (not cloned) back to the caller.
  const out = data.slice(0, texts.length * dimension);
  vectors.dispose?.();
  return { type: 'result', id, vectors: out, dimension, truncated };
}

function post(message: WorkerStatus | InferenceResult): void {
  if (message.type === 'result') port!.postMessage(message, [message.vectors.buffer as ArrayBuffer]);
  else port!.postMessage(message);
}
