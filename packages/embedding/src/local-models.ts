import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How a model turns its token vectors into one sentence vector. */
export type Pooling = 'mean' | 'cls';

/**
 * Words beside the meaning (lexical-hybrid.ts): the hash provider's word and n-gram features of the text's
 * head, appended to the model's vector so one COSINE search scores both.
 */
export interface LexicalPart {
  /** Buckets of the hashed features. */
  readonly dimension: number;
  /** Share of the score that is the model's cosine; the rest is the words' cosine. */
  readonly weight: number;
  /** Characters of the text's head the features come from: about what the model reads. */
  readonly headChars: number;
}

/** A sentence-embedding model the `local` provider runs in-process (DESIGN §3, §7). */
export interface LocalModelSpec {
  /** Model id written beside every vector and into the collection: names the model and its pooling. */
  readonly id: string;
  /** Folder under the models directory (the Hugging Face layout, laid out by deploy/local/install). */
  readonly folder: string;
  /** Of the whole vector: the model's own dimensions plus the lexical part's. */
  readonly dimension: number;
  readonly pooling: Pooling;
  /** Longest input in the model's own tokens ([CLS] and [SEP] included); longer texts are truncated. */
  readonly maxTokens: number;
  /** Prepended to search queries, never to documents (BGE is trained with it for retrieval). */
  readonly queryPrefix: string;
  readonly lexical?: LexicalPart;
}

// A small English model misses what a shopper types literally: a colour, a size, a brand, a word in
// Vietnamese or Chinese (eval: "black espresso machine" found espresso machines of every colour). The `+lex`
// models add the hash provider's features of the text's head (≈ 4 characters per model token, so about the
// head the model reads) at a quarter of the score: 0.75 is the dense share hybrid search engines default to
// (Weaviate's alpha). Measured on the eval (README "Search quality"): English recall@5 up, Vietnamese
// and Chinese far up, for twice the vector size.
const LEXICAL = { dimension: 384, weight: 0.75 } as const;

// The int8 ONNX exports shipped in langchain4j's Maven Central jars (pinned in deploy/local/versions.env).
// Each reads only the head of a text (template v2: title, brand, category, the chosen attributes, tags, then
// the description): on the labelled eval MiniLM finds more at 64 tokens than at 128 (English recall@5 0.74
// vs 0.68; catalog descriptions are mostly shop boilerplate that dilutes the mean), at half the CPU, and
// BGE at 128 as well as at 512 (README "Search quality"). A limit is part of what a model id means:
// a change moves every vector, so it ships with a template version (the model guard then asks for a reindex).
const MINILM: LocalModelSpec = {
  id: 'all-minilm-l6-v2-q-mean',
  folder: 'all-minilm-l6-v2-q',
  dimension: 384,
  pooling: 'mean',
  maxTokens: 64,
  queryPrefix: '',
};
const BGE: LocalModelSpec = {
  id: 'bge-small-en-v1.5-q-cls',
  folder: 'bge-small-en-v1.5-q',
  dimension: 384,
  pooling: 'cls',
  maxTokens: 128,
  queryPrefix: 'Represent this sentence for searching relevant passages: ',
};

/** `model` followed by its text's words: a model of its own (id, dimension), the same files. */
function withWords(model: LocalModelSpec): LocalModelSpec {
  return {
    ...model,
    id: `${model.id}+lex`,
    dimension: model.dimension + LEXICAL.dimension,
    lexical: { ...LEXICAL, headChars: 4 * model.maxTokens },
  };
}

// MiniLM reading 48 tokens, the default with its words: template v2's head (title, brand, category, the
// chosen attributes, tags) and little of the description, for three quarters of the CPU per text. On the
// eval, with its words, English recall@5 0.80 against 0.79 at 64 tokens (one query apart: no loss), alone
// 0.74 both; ~190 texts/s against ~150 with one worker (README "Search quality", the local provider).
const MINILM_48: LocalModelSpec = { ...MINILM, id: 'all-minilm-l6-v2-q-mean48', maxTokens: 48 };

/** The `local` provider's model when none is configured (`@freshet/config` reads it from here too). */
export const DEFAULT_LOCAL_MODEL = withWords(MINILM_48).id;

export const LOCAL_MODELS: Readonly<Record<string, LocalModelSpec>> = Object.fromEntries(
  [MINILM, MINILM_48, BGE, withWords(MINILM), withWords(MINILM_48), withWords(BGE)].map((spec) => [
    spec.id,
    spec,
  ]),
);

/** Where deploy/local/install puts the models: `${FRESHET_CACHE:-${XDG_CACHE_HOME:-~/.cache}/freshet}/models`. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.FRESHET_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'freshet');
  return join(cache, 'models');
}

/** The files an inference worker reads for a model; all must be there before a worker starts. */
export function modelFiles(modelsDir: string, spec: LocalModelSpec): string[] {
  const dir = join(modelsDir, spec.folder);
  return ['onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'].map((f) => join(dir, f));
}

export function missingModelFiles(modelsDir: string, spec: LocalModelSpec): string[] {
  return modelFiles(modelsDir, spec).filter((f) => !existsSync(f));
}
