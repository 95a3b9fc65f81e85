import { EmbeddingAbortedError, EmbeddingResponseError, isEmbeddingError } from './errors.js';
import { type Truncation, truncateToTokens } from './tokenizer.js';

/** Sends one request of unique texts (`tokens` summed over them); resolves one vector per text, in order. */
export type SendBatch = (texts: string[], tokens: number) => Promise<Float32Array[]>;

/** setTimeout, injectable so the linger rule is tested without waiting; returns a cancel function. */
export type Schedule = (callback: () => void, ms: number) => () => void;

export interface BatcherOptions {
  send: SendBatch;
  /** A request is sent when it holds this many unique inputs… */
  maxInputs: number;
  /** …or when one more input would take its token sum past this… */
  maxTokensPerRequest: number;
  /** …or `lingerMs` after its first input was queued. */
  lingerMs: number;
  /** Longer inputs are truncated to this many tokens before they are queued. */
  maxInputTokens: number;
  /** Requests in flight at once; further batches wait (and keep filling) until one returns. */
  concurrency: number;
  truncate?: (text: string, maxTokens: number) => Truncation;
  schedule?: Schedule;
  onTruncated?: (event: { originalLength: number; length: number; tokens: number }) => void;
}

interface Waiter {
  resolve(vector: Float32Array): void;
  reject(error: unknown): void;
}

interface Slot {
  text: string;
  tokens: number;
  waiters: Waiter[];
}

interface Batch {
  slots: Map<string, Slot>;
  tokens: number;
  /** Linger elapsed (or flush asked): send as soon as a request slot is free. */
  ready: boolean;
  cancelLinger: (() => void) | undefined;
  done: Promise<void>;
  settle: () => void;
}

const defaultSchedule: Schedule = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

/**
 * Micro-batching across callers (DESIGN §3): each caller awaits its own text's vector while the
 * texts of many products travel in one request. Identical texts in a batch are sent once. On failure
 * every caller of the batch gets the error, so the embedder commits nothing and retries later.
 */
export class EmbeddingBatcher {
  private open: Batch = newBatch();
  private readonly sealed: Batch[] = [];
  private readonly pending = new Set<Batch>();
  private inFlight = 0;
  private closed = false;
  private readonly truncate: (text: string, maxTokens: number) => Truncation;
  private readonly schedule: Schedule;

  constructor(private readonly options: BatcherOptions) {
    this.truncate = options.truncate ?? truncateToTokens;
    this.schedule = options.schedule ?? defaultSchedule;
  }

  embed(text: string): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new EmbeddingAbortedError('embedding client closed'));
    let input: Truncation;
    try {
      input = this.truncate(text, this.options.maxInputTokens);
    } catch (error) {
      return Promise.reject(error);
    }
    if (input.truncated) {
      this.options.onTruncated?.({
        originalLength: text.length,
        length: input.text.length,
        tokens: input.tokens,
      });
    }
    return new Promise((resolve, reject) => this.enqueue(input.text, input.tokens, { resolve, reject }));
  }

  /** Vectors in the order of `texts`. */
  embedMany(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.all(texts.map((text) => this.embed(text)));
  }

  /** Sends what is queued now, without waiting for the linger, and resolves when it has all settled. */
  async flush(): Promise<void> {
    this.sealOpen();
    // A refused request's halves join `pending` as it settles: wait for them too.
    while (this.pending.size > 0) await Promise.all([...this.pending].map((batch) => batch.done));
  }

  /** Refuses new texts, then flushes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Texts queued or in flight (unique per batch). */
  get size(): number {
    let n = 0;
    for (const batch of this.pending) n += batch.slots.size;
    return n + this.open.slots.size;
  }

  private enqueue(text: string, tokens: number, waiter: Waiter): void {
    const { maxInputs, maxTokensPerRequest } = this.options;
    const same = this.open.slots.get(text);
    if (same) {
      same.waiters.push(waiter);
      return;
    }
    if (this.open.slots.size > 0 && this.open.tokens + tokens > maxTokensPerRequest) this.sealOpen();
    const batch = this.open;
    batch.slots.set(text, { text, tokens, waiters: [waiter] });
    batch.tokens += tokens;
    if (batch.slots.size >= maxInputs || batch.tokens >= maxTokensPerRequest) {
      this.sealOpen();
    } else if (batch.slots.size === 1) {
      batch.cancelLinger = this.schedule(() => this.lingerElapsed(batch), this.options.lingerMs);
    }
  }

  private lingerElapsed(batch: Batch): void {
    batch.cancelLinger = undefined;
    if (batch !== this.open) return;
    batch.ready = true;
    // With every request slot busy the batch keeps filling; pump() sends it when a slot frees.
    if (this.inFlight < this.options.concurrency) this.sealOpen();
  }

  private sealOpen(): void {
    const batch = this.open;
    if (batch.slots.size === 0) return;
    batch.cancelLinger?.();
    batch.cancelLinger = undefined;
    this.open = newBatch();
    this.sealed.push(batch);
    this.pending.add(batch);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency) {
      const next = this.sealed.shift();
      if (next) {
        this.dispatch(next);
      } else if (this.open.ready && this.open.slots.size > 0) {
        this.sealOpen(); // pushes it to `sealed` and re-enters this loop
        return;
      } else {
        return;
      }
    }
  }

  private dispatch(batch: Batch): void {
    this.inFlight++;
    const slots = [...batch.slots.values()];
    let request: Promise<Float32Array[]>;
    try {
      request = this.options.send(
        slots.map((slot) => slot.text),
        batch.tokens,
      );
    } catch (error) {
      request = Promise.reject(error);
    }
    request
      .then((vectors) => {
        if (vectors.length !== slots.length) {
          throw new EmbeddingResponseError(`${vectors.length} vectors for ${slots.length} inputs`);
        }
        slots.forEach((slot, i) => {
          const vector = vectors[i]!;
          // Callers that shared a text each get their own copy: a vector is a mutable Float32Array.
          slot.waiters.forEach((waiter, j) => {
            waiter.resolve(j === 0 ? vector : vector.slice());
          });
        });
      })
      .catch((error: unknown) => {
        // The API refuses a whole request for one bad input (400/422): the request's other texts, often other
        // callers', must not share that answer (they would go to the DLQ for a text not theirs). Its halves
        // are sent again, on their own, down to the input refused.
        if (slots.length > 1 && refusesInput(error)) {
          const half = Math.ceil(slots.length / 2);
          const halves = [ownBatch(slots.slice(0, half)), ownBatch(slots.slice(half))];
          for (const h of halves) this.pending.add(h);
          this.sealed.unshift(...halves);
          return;
        }
        for (const slot of slots) for (const waiter of slot.waiters) waiter.reject(error);
      })
      .finally(() => {
        this.inFlight--;
        this.pending.delete(batch);
        batch.settle();
        this.pump();
      });
  }
}

function refusesInput(error: unknown): boolean {
  return isEmbeddingError(error) && error.code === 'FRESHET_EMBEDDING_REJECTED';
}

/** A sealed batch of these slots alone (a half of a refused request). */
function ownBatch(slots: readonly Slot[]): Batch {
  const batch = newBatch();
  for (const slot of slots) {
    batch.slots.set(slot.text, slot);
    batch.tokens += slot.tokens;
  }
  batch.ready = true;
  return batch;
}

function newBatch(): Batch {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return { slots: new Map(), tokens: 0, ready: false, cancelLinger: undefined, done, settle };
}
