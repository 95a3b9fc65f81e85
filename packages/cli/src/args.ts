import { access } from 'node:fs/promises';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { UsageError } from './errors.js';

/** Option parsers: commander turns InvalidArgumentError into a usage error (exit 2) naming the option. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a number > 0');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
}

export async function readableFile(path: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file`);
  }
}
