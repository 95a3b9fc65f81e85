/**
 * kafkajs 2.2.4's request queue schedules its throttle check with `throttledUntil - Date.now()` while
 * nothing is throttled (throttledUntil = -1), a negative delay. Node ≥ 23 prints a TimeoutNegativeWarning
 * to stderr for each such timer (Node 20 said nothing), a non-JSON line in the stage's log stream; the
 * timer itself fires after 1 ms on both. This drops that one warning type, process-wide, once.
 */
let quieted = false;

export function quietNegativeTimeoutWarnings(): void {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const options = rest[0];
    const type = typeof options === 'string' ? options : (options as { type?: unknown } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
