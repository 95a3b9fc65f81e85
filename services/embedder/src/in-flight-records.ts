import type { EmbedderRequest } from '@freshet/schemas';
import type { Candidate } from './supersede.js';

/** A record of a batch the embedder has fetched and not finished. */
export class InFlightRecord implements Candidate {
  readonly offset: number;
  readonly type: EmbedderRequest['type'];
  readonly version: number;
  /**
   * Resolves true once the record is sure to reach the writer or to be made redundant by one that is (its
   * vector was found, it is a pass-through, it was superseded by a covered record), false when that is not
   * sure (the API refused its text, its batch was given up): a text superseded by it must then be embedded.
   */
  readonly covered: Promise<boolean>;
  private settle!: (ok: boolean) => void;
  private outcome: boolean | undefined;

  constructor(
    readonly partition: number,
    offset: string,
    readonly request: EmbedderRequest,
  ) {
    this.offset = Number(offset);
    this.type = request.type;
    this.version = request.version;
    this.covered = new Promise((resolve) => {
      this.settle = resolve;
    });
    // Price, stock and delete records always reach the writer: nothing to wait for.
    if (request.type !== 'CREATE' && request.type !== 'UPDATE') this.cover(true);
  }

  /** Settles `covered` (only the first call counts). */
  cover(ok: boolean): void {
    if (this.outcome !== undefined) return;
    this.outcome = ok;
    this.settle(ok);
  }

  /** What `covered` settled with; undefined while it has not. */
  get verdict(): boolean | undefined {
    return this.outcome;
  }
}

/**
 * Per partition and product, the records of the batches still in flight (DESIGN §3: "among the records a
 * stage has fetched and not finished"). A batch adds its records when it is handed on as pending and removes
 * them when it settles; a record fetched again (a redo) sits beside its old copy until that one's batch ends.
 */
export class InFlightRecords {
  private readonly byProduct = new Map<string, InFlightRecord[]>();

  add(records: readonly InFlightRecord[]): void {
    for (const r of records) {
      const key = keyOf(r);
      const list = this.byProduct.get(key);
      if (list) list.push(r);
      else this.byProduct.set(key, [r]);
    }
  }

  remove(records: readonly InFlightRecord[]): void {
    for (const r of records) {
      const key = keyOf(r);
      const list = this.byProduct.get(key);
      if (!list) continue;
      const rest = list.filter((x) => x !== r);
      if (rest.length > 0) this.byProduct.set(key, rest);
      else this.byProduct.delete(key);
    }
  }

  /** The in-flight records of `record`'s product on its partition (itself included). */
  productOf(record: InFlightRecord): readonly InFlightRecord[] {
    return this.byProduct.get(keyOf(record)) ?? [record];
  }

  /** Products tracked (for tests and a gauge). */
  get size(): number {
    return this.byProduct.size;
  }
}

const keyOf = (r: InFlightRecord) => `${r.partition}\u0000${r.request.productId}`;
