import { mulberry32 } from './rng.js';

export const FAULT_KINDS = [
  'latency',
  'status429',
  'status5xx',
  'timeout',
  'failRate',
  'wrongDimension',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How long a fault lasts: until cleared (neither), for the next `requests` requests, or for `durationMs`. */
export interface FaultLimit {
  requests?: number;
  durationMs?: number;
}

export type Fault = FaultLimit &
  (
    | { kind: 'latency'; ms: number | { min: number; max: number } }
    | { kind: 'status429'; retryAfterSeconds?: number; resetRequests?: string }
    | { kind: 'status5xx'; status?: 500 | 502 | 503 }
    | { kind: 'timeout' }
    | { kind: 'failRate'; rate: number; seed?: number }
    | { kind: 'wrongDimension'; dimensions?: number }
  );

export interface ActiveFault {
  fault: Fault;
  /** Requests left when injected with `requests`, else null. */
  remainingRequests: number | null;
  /** Epoch ms when it lapses when injected with `durationMs`, else null. */
  expiresAt: number | null;
}

export type FaultOutcome =
  | { kind: 'ok' }
  | { kind: 'status429'; retryAfterSeconds: number; resetRequests: string }
  | { kind: 'status5xx'; status: 500 | 502 | 503 }
  | { kind: 'failRate' }
  | { kind: 'timeout' };

/** What one request suffers. `applied` lists every fault kind that touched it (for the fault counters). */
export interface RequestFate {
  delayMs: number;
  outcome: FaultOutcome;
  /** Answer with this many dimensions instead of the requested ones. */
  wrongDimensions: number | null;
  applied: FaultKind[];
}

export class InvalidFaultError extends Error {
  override readonly name = 'InvalidFaultError';
  readonly code = 'FRESHET_FAKE_FAULT_INVALID';
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Validates a fault given as JSON (POST /_control) or by a caller without types; throws InvalidFaultError. */
export function parseFault(value: unknown): Fault {
  if (!isObject(value)) throw new InvalidFaultError('a fault is an object with a "kind"');
  const { kind, requests, durationMs } = value;
  if (!(FAULT_KINDS as readonly unknown[]).includes(kind)) {
    throw new InvalidFaultError(
      `unknown fault kind ${JSON.stringify(kind)}; one of ${FAULT_KINDS.join(', ')}`,
    );
  }
  const limit: FaultLimit = {};
  if (requests !== undefined) {
    if (!Number.isInteger(requests) || (requests as number) < 1)
      throw new InvalidFaultError('requests must be an integer ≥ 1');
    limit.requests = requests as number;
  }
  if (durationMs !== undefined) {
    if (!isNonNegative(durationMs) || durationMs === 0) throw new InvalidFaultError('durationMs must be > 0');
    limit.durationMs = durationMs;
  }
  if (limit.requests !== undefined && limit.durationMs !== undefined) {
    throw new InvalidFaultError('give requests or durationMs, not both');
  }
  switch (kind as FaultKind) {
    case 'latency': {
      const ms = value.ms;
      if (isNonNegative(ms)) return { kind: 'latency', ms, ...limit };
      if (isObject(ms) && isNonNegative(ms.min) && isNonNegative(ms.max) && ms.min <= ms.max) {
        return { kind: 'latency', ms: { min: ms.min, max: ms.max }, ...limit };
      }
      throw new InvalidFaultError('latency needs ms: a number ≥ 0 or { min, max } with 0 ≤ min ≤ max');
    }
    case 'status429': {
      const { retryAfterSeconds, resetRequests } = value;
      if (retryAfterSeconds !== undefined && !isNonNegative(retryAfterSeconds))
        throw new InvalidFaultError('retryAfterSeconds must be a number ≥ 0');
      if (resetRequests !== undefined && typeof resetRequests !== 'string')
        throw new InvalidFaultError('resetRequests must be a duration string such as "1s" or "120ms"');
      return {
        kind: 'status429',
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        ...(resetRequests !== undefined ? { resetRequests } : {}),
        ...limit,
      };
    }
    case 'status5xx': {
      const { status } = value;
      if (status !== undefined && status !== 500 && status !== 502 && status !== 503)
        throw new InvalidFaultError('status must be 500, 502 or 503');
      return { kind: 'status5xx', ...(status !== undefined ? { status } : {}), ...limit };
    }
    case 'timeout':
      return { kind: 'timeout', ...limit };
    case 'failRate': {
      const { rate, seed } = value;
      if (!isNonNegative(rate) || rate > 1) throw new InvalidFaultError('failRate needs rate in [0, 1]');
      if (seed !== undefined && !Number.isInteger(seed))
        throw new InvalidFaultError('seed must be an integer');
      return { kind: 'failRate', rate, ...(seed !== undefined ? { seed: seed as number } : {}), ...limit };
    }
    case 'wrongDimension': {
      const { dimensions } = value;
      if (dimensions !== undefined && (!Number.isInteger(dimensions) || (dimensions as number) < 1))
        throw new InvalidFaultError('dimensions must be an integer ≥ 1');
      return {
        kind: 'wrongDimension',
        ...(dimensions !== undefined ? { dimensions: dimensions as number } : {}),
        ...limit,
      };
    }
  }
}

/** Go-style duration as OpenAI writes x-ratelimit-reset-*: "20ms", "1s", "6m0s". */
export function goDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${Number((seconds - minutes * 60).toFixed(3))}s`;
}

interface Entry extends ActiveFault {
  random: (() => number) | null;
}

// When several faults are active, the most severe failure wins; the others are not consumed.
const FAILURE_ORDER = ['timeout', 'status429', 'status5xx', 'failRate'] as const;

/**
 * The faults switched on at a moment, at most one per kind (injecting a kind again replaces it).
 * Pure apart from the clock and the seeded RNG, so its expiry rules are unit-tested without a server.
 */
export class FaultPlan {
  private readonly entries = new Map<FaultKind, Entry>();
  private readonly jitter = mulberry32(0x1a7e);

  constructor(private readonly now: () => number = Date.now) {}

  inject(fault: Fault): void {
    const valid = parseFault(fault);
    this.entries.set(valid.kind, {
      fault: valid,
      remainingRequests: valid.requests ?? null,
      expiresAt: valid.durationMs !== undefined ? this.now() + valid.durationMs : null,
      random: valid.kind === 'failRate' ? mulberry32(valid.seed ?? 1) : null,
    });
  }

  clear(kind?: FaultKind): void {
    if (kind === undefined) this.entries.clear();
    else this.entries.delete(kind);
  }

  active(): ActiveFault[] {
    this.prune();
    return [...this.entries.values()].map(({ fault, remainingRequests, expiresAt }) => ({
      fault,
      remainingRequests,
      expiresAt,
    }));
  }

  /** The fate of the next request (asking for `dimensions`); uses up one request of every fault that touched it. */
  decide(dimensions: number): RequestFate {
    this.prune();
    const applied: FaultKind[] = [];
    let delayMs = 0;
    const latency = this.entries.get('latency');
    if (latency && latency.fault.kind === 'latency') {
      const { ms } = latency.fault;
      delayMs = typeof ms === 'number' ? ms : ms.min + this.jitter() * (ms.max - ms.min);
      this.use(latency);
      applied.push('latency');
    }
    let outcome: FaultOutcome = { kind: 'ok' };
    for (const kind of FAILURE_ORDER) {
      const entry = this.entries.get(kind);
      if (!entry) continue;
      const f = entry.fault;
      this.use(entry);
      if (f.kind === 'failRate') {
        if ((entry.random as () => number)() >= f.rate) continue;
        outcome = { kind: 'failRate' };
      } else if (f.kind === 'status429') {
        const retryAfterSeconds = f.retryAfterSeconds ?? 1;
        outcome = {
          kind: 'status429',
          retryAfterSeconds,
          resetRequests: f.resetRequests ?? goDuration(retryAfterSeconds),
        };
      } else if (f.kind === 'status5xx') outcome = { kind: 'status5xx', status: f.status ?? 500 };
      else outcome = { kind: 'timeout' };
      applied.push(kind);
      break;
    }
    let wrongDimensions: number | null = null;
    const wrong = this.entries.get('wrongDimension');
    if (outcome.kind === 'ok' && wrong && wrong.fault.kind === 'wrongDimension') {
      wrongDimensions = wrong.fault.dimensions ?? dimensions + 1;
      this.use(wrong);
      applied.push('wrongDimension');
    }
    return { delayMs, outcome, wrongDimensions, applied };
  }

  private use(entry: Entry): void {
    if (entry.remainingRequests === null) return;
    entry.remainingRequests -= 1;
    if (entry.remainingRequests <= 0) this.entries.delete(entry.fault.kind);
  }

  private prune(): void {
    const now = this.now();
    for (const [kind, entry] of this.entries) {
      if (entry.expiresAt !== null && now >= entry.expiresAt) this.entries.delete(kind);
    }
  }
}
