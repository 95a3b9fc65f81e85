import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * A pino destination that prints each (already redacted) JSON log line as one readable line on `out`:
 * an operator at a terminal reads `freshet warn [kafka BrokerPool] …`, not JSON.
 */
export function humanLogLines(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        out.write(`${formatLogLine(line)}\n`);
      }
      done();
    },
  });
}

export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVELS[Number(entry.level)] ?? String(entry.level);
  const where = typeof entry.kafka === 'string' ? ` [kafka ${entry.kafka}]` : '';
  const error = entry.error ?? (entry.err as { message?: unknown } | undefined)?.message;
  return `freshet ${level}${where} ${String(entry.msg ?? '')}${error ? `: ${String(error)}` : ''}`;
}
