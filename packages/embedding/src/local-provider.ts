import { Worker } from 'node:worker_threads';
import { EmbeddingAbortedError, EmbeddingError, LocalModelMissingError } from './errors.js';
import { LexicalHybrid } from './lexical-hybrid.js';
import { type LocalModelSpec, missingModelFiles } from './local-models.js';
import type {
  InferenceRequest,
  InferenceResult,
  StopRequest,
  WorkerSetup,
  WorkerStatus,
} from './local-protocol.js';
import type { EmbeddingProvider } from './provider.js';

export interface LocalProviderOptions {
  model: LocalModelSpec;
  /** Folder holding one folder per model (deploy/local/install, or the image's /app/models). */
  modelsDir: string;
  /** Inference worker threads, each with its own copy of the model (~25–35 MB int8). */
  workers: number;
  /** ONNX Runtime intra-op threads per worker. */
  threads: number;
  /** Texts per inference call; a provider call of more texts is split across the workers. */
  batchSize: number;
  /** Search queries get the model's query instruction (BGE); indexed documents never do. */
  input: 'document' | 'query';
  /** Called with the number of inputs cut at the model's token limit (metrics, logs). */
  onTruncated?: (count: number) => void;
  /** Called with the tokens the model read for each successful call (the tokens metric). */
  onTokens?: (count: number) => void;
}

interface Task {
  texts: string[];
  resolve(result: InferenceResult): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | undefined;
  /** Set once the worker is gone (exit event). */
  exited: boolean;
  /** Called whenever the worker settles something (loaded, answered, failed, exited). */
  onSettled: (() => void) | undefined;
}

// How long close() waits for a worker to finish loading or the batch it is on before terminating it.
const STOP_GRACE_MS = 60_000;

/**
 * The `local` provider (DESIGN §3): a sentence-embedding model run in-process by ONNX Runtime, offline, in a bounded pool of worker threads so inference never blocks the event loop
 * (Kafka heartbeats, /healthz). Texts are sorted by length before they are cut into inference batches,
 * so a batch pads to its own longest text rather than the longest of the call.
 */
export class LocalEmbeddingProvider implements EmbeddingProvider {
  readonly model: string;
  readonly dimension: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly setup: WorkerSetup;
  private readonly prefix: string;
  /** The model's own dimensions (the workers' output): all of `dimension` unless a lexical part follows. */
  private readonly denseDimension: number;
  private readonly lexical: LexicalHybrid | undefined;
  private nextId = 0;
  private closed = false;
  /** Set when a worker cannot load the model: nothing will get better by retrying. */
  private failure: EmbeddingError | undefined;
  private readonly readyWaiters: Array<{ resolve(): void; reject(error: unknown): void }> = [];

  constructor(private readonly options: LocalProviderOptions) {
    const { model, modelsDir } = options;
    const missing = missingModelFiles(modelsDir, model);
    if (missing.length > 0) throw new LocalModelMissingError(model.id, modelsDir, missing);
    for (const [field, value, max] of [
      ['workers', options.workers, 64],
      ['threads', options.threads, 64],
      ['batchSize', options.batchSize, 2048],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new RangeError(`${field} must be an integer in [1, ${max}], got ${value}`);
      }
    }
    this.model = model.id;
    this.dimension = model.dimension;
    this.denseDimension = model.dimension - (model.lexical?.dimension ?? 0);
    this.lexical = model.lexical ? new LexicalHybrid(model.lexical, this.denseDimension) : undefined;
    this.prefix = options.input === 'query' ? model.queryPrefix : '';
    this.setup = {
      modelsDir,
      folder: model.folder,
      pooling: model.pooling,
      maxTokens: model.maxTokens,
      threads: options.threads,
    };
    for (let i = 0; i < options.workers; i++) this.slots.push(this.start());
  }

  /** Resolves once every worker has loaded the model (start-up, readiness); rejects if one cannot. */
  ready(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new EmbeddingAbortedError('local embedding provider closed'));
    if (this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (signal?.aborted) throw new EmbeddingAbortedError(undefined, { cause: signal.reason });
    if (this.closed) throw new EmbeddingAbortedError('local embedding provider closed');
    if (texts.length === 0) return [];
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
    const out = new Array<Float32Array>(texts.length);
    const runs: Array<Promise<void>> = [];
    // Reported once the whole call has succeeded, so a call retried after a failed part is not counted twice.
    let tokens = 0;
    for (let start = 0; start < order.length; start += this.options.batchSize) {
      const indices = order.slice(start, start + this.options.batchSize);
      const batch = indices.map((i) => this.prefix + texts[i]!);
      runs.push(
        this.run(batch, signal).then((result) => {
          const d = this.denseDimension;
          if (result.dimension !== d) {
            throw new EmbeddingError(
              'FRESHET_EMBEDDING_DIMENSION',
              `model ${this.model} returned ${result.dimension}-dimensional vectors, expected ${d}`,
              false,
            );
          }
          if (result.truncated > 0) this.options.onTruncated?.(result.truncated);
          tokens += result.tokens;
          indices.forEach((textIndex, row) => {
            const dense = result.vectors.subarray(row * d, (row + 1) * d);
            out[textIndex] = this.lexical ? this.lexical.combine(dense, texts[textIndex]!) : dense;
          });
        }),
      );
    }
    await Promise.all(runs);
    this.options.onTokens?.(tokens);
    return out;
  }

  /**
   * Stops the workers; calls still queued or in flight fail with FRESHET_EMBEDDING_ABORTED at once. A
   * worker is stopped only between native calls (after it has loaded, after its batch): terminating a
   * thread inside ONNX Runtime aborts the whole process.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const aborted = new EmbeddingAbortedError('local embedding provider closed');
    for (const task of this.queue.splice(0)) task.reject(aborted);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(aborted);
    await Promise.all(this.slots.map((slot) => this.stop(slot, aborted)));
  }

  private async stop(slot: Slot, aborted: EmbeddingAbortedError): Promise<void> {
    slot.task?.reject(aborted);
    slot.worker.ref();
    const deadline = Date.now() + STOP_GRACE_MS;
    const idle = () => slot.exited || (slot.ready && slot.task === undefined);
    while (!idle() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        slot.onSettled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (slot.exited) return;
    if (idle()) {
      const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
      slot.worker.postMessage({ type: 'stop' } satisfies StopRequest);
      const timer = setTimeout(() => void slot.worker.terminate(), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    } else {
      await slot.worker.terminate();
    }
  }

  private run(texts: string[], signal: AbortSignal | undefined): Promise<InferenceResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<InferenceResult>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        const queued = this.queue.indexOf(task);
        if (queued >= 0) this.queue.splice(queued, 1);
        // In flight: the worker finishes the batch and the result is dropped.
        reject(new EmbeddingAbortedError(undefined, { cause: signal?.reason }));
      };
      const task: Task = {
        texts,
        resolve: (result) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(task);
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (!slot.ready || slot.task) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      // Referenced only while it works: an idle pool never keeps the process alive.
      slot.worker.ref();
      const request: InferenceRequest = { type: 'embed', id: this.nextId++, texts: task.texts };
      slot.worker.postMessage(request);
    }
  }

  private start(): Slot {
    const worker = new Worker(new URL('./local-worker.js', import.meta.url), {
      workerData: this.setup,
      // The worker's own heap holds the tokenizer's vocabulary and a batch's texts and ids; ONNX Runtime's
      // memory is native. A small young generation: a batch's garbage is a few hundred KB. V8's heap flags
      // are process-wide and win over these limits, so under the launcher's, the image's and the chart's
      // --max-semi-space-size the worker gets that young generation instead (heap ~28 MB against ~17 MB
      // with these limits alone; ~3 MB of RSS at peak, README Memory).
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 4 },
      execArgv: workerExecArgv(process.execArgv),
      stderr: false,
    });
    const slot: Slot = { worker, ready: false, task: undefined, exited: false, onSettled: undefined };
    const settled = () => {
      const notify = slot.onSettled;
      slot.onSettled = undefined;
      notify?.();
    };
    // Unreferenced only while idle and open: an idle pool never keeps the process alive, a closing one does.
    const unrefIfIdle = () => {
      if (!this.closed && !slot.task && this.queue.length === 0) worker.unref();
    };
    worker.on('message', (message: WorkerStatus | InferenceResult) => {
      switch (message.type) {
        case 'ready':
          slot.ready = true;
          if (this.slots.every((s) => s.ready)) {
            for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
          }
          this.dispatch();
          unrefIfIdle();
          settled();
          break;
        case 'failed':
          this.fail(
            new EmbeddingError(
              'FRESHET_EMBEDDING_MODEL_MISSING',
              `model ${this.model} failed to load from ${this.setup.modelsDir}/${this.setup.folder}: ${message.message}`,
              false,
            ),
          );
          settled();
          break;
        case 'result':
        case 'error': {
          const task = slot.task;
          slot.task = undefined;
          if (message.type === 'result') task?.resolve(message);
          else {
            task?.reject(
              new EmbeddingError(
                'FRESHET_EMBEDDING_UNAVAILABLE',
                `local model ${this.model} failed on a batch: ${message.message}`,
                true,
              ),
            );
          }
          this.dispatch();
          unrefIfIdle();
          settled();
          break;
        }
      }
    });
    worker.on('error', (error) => this.lost(slot, error));
    worker.on('exit', (code) => {
      slot.exited = true;
      this.lost(slot, new Error(`inference worker exited with code ${code}`));
      settled();
    });
    return slot;
  }

  /** A worker died (crash, out of memory): its batch fails retryably and a fresh worker takes its place. */
  private lost(slot: Slot, cause: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    const task = slot.task;
    slot.task = undefined;
    task?.reject(
      new EmbeddingError(
        'FRESHET_EMBEDDING_UNAVAILABLE',
        `local model ${this.model}: ${cause.message}`,
        true,
        {
          cause,
        },
      ),
    );
    if (this.failure) {
      this.slots.splice(index, 1);
      return;
    }
    if (!slot.ready) {
      // It died while loading: a replacement would die the same way.
      this.fail(
        new EmbeddingError(
          'FRESHET_EMBEDDING_MODEL_MISSING',
          `model ${this.model} could not be loaded: ${cause.message}`,
          false,
          { cause },
        ),
      );
      return;
    }
    this.slots[index] = this.start();
  }

  private fail(error: EmbeddingError): void {
    if (this.failure) return;
    this.failure = error;
    for (const task of this.queue.splice(0)) task.reject(error);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }
}

/**
 * The parent's preloads and source maps, nothing else: a worker refuses per-process flags (Node 24's
 * test runner passes some) and `--input-type` (a worker file is no `-e` script).
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--enable-source-maps' || /^--(import|require)=/.test(arg)) kept.push(arg);
    else if ((arg === '--import' || arg === '--require' || arg === '-r') && i + 1 < execArgv.length) {
      kept.push(arg, execArgv[++i]!);
    }
  }
  return kept;
}
