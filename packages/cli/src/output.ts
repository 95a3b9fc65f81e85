/** Where a command writes: results to stdout (text or one JSON document), diagnostics to stderr. */
export interface Output {
  readonly json: boolean;
  /** The command's result: printed as JSON when --json, else rendered by `text`. */
  result(value: unknown, text: () => string): void;
  /** A progress or warning line for people; never on stdout, so `--json` output stays parseable. */
  note(line: string): void;
}

export interface Streams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createOutput(json: boolean, streams: Streams): Output {
  return {
    json,
    result(value, text) {
      if (json) streams.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
      else {
        const rendered = text();
        if (rendered.length > 0) streams.stdout.write(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
      }
    },
    note(line) {
      streams.stderr.write(`${line}\n`);
    },
  };
}

// Buffers (keys, values) as base64 and bigints as strings: JSON.stringify throws or bloats otherwise.
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
    const data = (value as { data?: unknown }).data;
    if (Array.isArray(data)) return Buffer.from(data as number[]).toString('base64');
  }
  return value;
}

/** Left-aligned columns for text tables. */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Minor units as a decimal amount in the currency's own ISO 4217 exponent (JPY and VND have none). */
export function formatPrice(minor: number | null, currency: string | null): string {
  if (minor === null) return '—';
  const digits = currencyDigits(currency);
  return `${(minor / 10 ** digits).toFixed(digits)}${currency ? ` ${currency}` : ''}`;
}

function currencyDigits(currency: string | null): number {
  if (!currency) return 2;
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}
