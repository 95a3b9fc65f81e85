import { createHash } from 'node:crypto';
import { sfc32 } from './rng.js';

/**
 * The vector the fake OpenAI server returns for `text`: deterministic per (model, dimensions, text),
 * seeded from a sha256 (128 bits of it, so distinct texts never share a stream) and L2-normalised.
 * Exported so a test can tell which text a stored vector came from.
 */
export function fakeEmbedding(text: string, dimensions: number, model: string): Float32Array {
  const digest = createHash('sha256').update(`${model}\u0000${dimensions}\u0000${text}`).digest();
  const random = sfc32(
    digest.readUInt32LE(0),
    digest.readUInt32LE(4),
    digest.readUInt32LE(8),
    digest.readUInt32LE(12),
  );
  for (let i = 0; i < 12; i++) random(); // sfc32 wants a short warm-up after seeding
  const values = new Float64Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const v = random() * 2 - 1;
    values[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  const vector = new Float32Array(dimensions);
  for (let i = 0; i < dimensions; i++) vector[i] = (values[i] as number) / norm;
  return vector;
}

/** float32 little-endian bytes as base64: OpenAI's `encoding_format: 'base64'`. */
export function vectorToBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] as number, i * 4);
  return bytes.toString('base64');
}

/** Inverse of vectorToBase64. */
export function base64ToVector(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const vector = new Float32Array(bytes.length / 4);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}
