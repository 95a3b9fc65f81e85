import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How a model turns its token vectors into one sentence vector. */
export type Pooling = 'mean' | 'cls';

/** A sentence-embedding model the `local` provider runs in-process (DESIGN §3, §7). */
export interface LocalModelSpec {
  /** Model id written beside every vector and into the collection: names the model and its pooling. */
  readonly id: string;
  /** Folder under the models directory (a transformers.js layout, laid out by deploy/local/install). */
  readonly folder: string;
  readonly dimension: number;
  readonly pooling: Pooling;
  /** Longest input in the model's own tokens ([CLS] and [SEP] included); longer texts are truncated. */
  readonly maxTokens: number;
  /** Prepended to search queries, never to documents (BGE is trained with it for retrieval). */
  readonly queryPrefix: string;
}

// The int8 ONNX exports shipped in langchain4j's Maven Central jars (pinned in deploy/local/versions.env).
// MiniLM truncates at 128 tokens, the length it was trained on and the one langchain4j's jar ships with
// (sentence-transformers allows 256): catalog texts average ~150 tokens, their head (title, brand,
// category, tags) fits, and 128 costs ~30% less CPU than 256 (bench/README). BGE at BERT's 512.
export const LOCAL_MODELS: Readonly<Record<string, LocalModelSpec>> = {
  'all-minilm-l6-v2-q-mean': {
    id: 'all-minilm-l6-v2-q-mean',
    folder: 'all-minilm-l6-v2-q',
    dimension: 384,
    pooling: 'mean',
    maxTokens: 128,
    queryPrefix: '',
  },
  'bge-small-en-v1.5-q-cls': {
    id: 'bge-small-en-v1.5-q-cls',
    folder: 'bge-small-en-v1.5-q',
    dimension: 384,
    pooling: 'cls',
    maxTokens: 512,
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
  },
};

/** Where deploy/local/install puts the models: `${FRESHET_CACHE:-${XDG_CACHE_HOME:-~/.cache}/freshet}/models`. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.FRESHET_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'freshet');
  return join(cache, 'models');
}

/** The files transformers.js reads for a model; all must be there before a worker starts. */
export function modelFiles(modelsDir: string, spec: LocalModelSpec): string[] {
  const dir = join(modelsDir, spec.folder);
  return ['onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json', 'config.json'].map((f) =>
    join(dir, f),
  );
}

export function missingModelFiles(modelsDir: string, spec: LocalModelSpec): string[] {
  return modelFiles(modelsDir, spec).filter((f) => !existsSync(f));
}
