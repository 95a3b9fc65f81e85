/**
 * Paces a stream at `ratePerSecond` without bursts: event n may leave at start + n / rate. Returns how
 * long to wait before sending the next `count` events; pure so it is tested without sleeping.
 */
export class Pacer {
  private sent = 0;
  private start: number | undefined;

  constructor(readonly ratePerSecond: number) {
    if (!(ratePerSecond > 0)) throw new RangeError('rate must be > 0');
  }

  /** Ms to wait (≥ 0) before `count` more events may go, given the time `now` in ms. */
  delayFor(count: number, now: number): number {
    this.start ??= now;
    // The batch may leave once its first event is due; the rest are due within the batch's own span.
    const due = this.start + (this.sent * 1000) / this.ratePerSecond;
    this.sent += count;
    return Math.max(0, due - now);
  }
}
