import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError } from './errors.js';

/** Where a backfill is: every line up to `lastLine` was acknowledged by the brokers or reported bad. */
export interface Checkpoint {
  format: 1;
  file: string;
  /** Identity of the catalog file, so a resume never continues a different file. */
  fingerprint: string;
  topic: string;
  lastLine: number;
  produced: number;
  skipped: number;
  done: boolean;
  updatedAt: string;
}

export function defaultCheckpointPath(file: string): string {
  return `${resolve(file)}.freshet-checkpoint.json`;
}

/** Size plus sha256 of the first MiB: cheap for large files, and a changed file is caught. */
export async function fingerprint(file: string): Promise<string> {
  const { size } = await stat(file);
  const hash = createHash('sha256');
  if (size === 0) return `0:${hash.digest('hex')}`;
  for await (const chunk of createReadStream(file, { start: 0, end: Math.min(size, 1 << 20) - 1 })) {
    hash.update(chunk as Buffer);
  }
  return `${size}:${hash.digest('hex')}`;
}

export async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: Partial<Checkpoint>;
  try {
    parsed = JSON.parse(text) as Partial<Checkpoint>;
  } catch (cause) {
    throw new CliError('FRESHET_CHECKPOINT_INVALID', `${path} is not a freshet checkpoint (not JSON)`, 1, {
      cause,
    });
  }
  if (parsed.format !== 1 || typeof parsed.lastLine !== 'number' || typeof parsed.fingerprint !== 'string') {
    throw new CliError('FRESHET_CHECKPOINT_INVALID', `${path} is not a freshet checkpoint`);
  }
  return parsed as Checkpoint;
}

/** Written to a temporary file and renamed: a kill mid-write leaves the previous checkpoint whole. */
export async function writeCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(tmp, path);
}

export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}
