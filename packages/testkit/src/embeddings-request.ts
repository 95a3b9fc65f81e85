import { countTokens, decode, vocabularySize } from 'gpt-tokenizer/encoding/cl100k_base';

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAIError(
  message: string,
  type: string,
  param: string | null = null,
  code: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

export type EncodingFormat = 'float' | 'base64';

/** One input of a request, as billed: its text (token arrays are decoded) and its cl100k tokens. */
export interface EmbeddingInput {
  text: string;
  tokens: number;
}

export interface EmbeddingsRequest {
  model: string;
  inputs: EmbeddingInput[];
  /** Dimensions of the answer: `dimensions` when given, else the model's native size. */
  dimensions: number;
  encodingFormat: EncodingFormat;
}

export interface RequestLimits {
  maxInputs: number;
  maxInputTokens: number;
  maxRequestTokens: number;
  /** Native dimensions per model; other model names get `defaultDimensions`. */
  modelDimensions: Readonly<Record<string, number>>;
  defaultDimensions: number;
}

/** OpenAI's published limits for /v1/embeddings (2048 inputs, 8,191 tokens each, 300,000 per request). */
export const OPENAI_LIMITS: RequestLimits = {
  maxInputs: 2048,
  maxInputTokens: 8191,
  maxRequestTokens: 300_000,
  modelDimensions: {
    'text-embedding-3-small': 1536,
    'text-embedding-3-large': 3072,
    'text-embedding-ada-002': 1536,
  },
  defaultDimensions: 1536,
};

// Product text is data: `<|endoftext|>` in a description is plain text, as in the embedder's tokenizer.
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** cl100k_base tokens of `text`, the encoding OpenAI bills text-embedding-3-* and ada-002 `prompt_tokens` in. */
export function billedTokens(text: string): number {
  return countTokens(text, PLAIN_TEXT);
}

export type ParsedRequest = { ok: true; request: EmbeddingsRequest } | { ok: false; error: OpenAIErrorBody };

const INVALID_INPUT =
  "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

const invalid = (message: string, param: string | null = null): ParsedRequest => ({
  ok: false,
  error: openAIError(message, 'invalid_request_error', param),
});

function isTokenArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((t) => Number.isInteger(t));
}

/**
 * Validates a POST /v1/embeddings body the way OpenAI does (every failure is a 400 with its error
 * shape) and counts the tokens of each input.
 */
export function parseEmbeddingsRequest(body: unknown, limits: RequestLimits = OPENAI_LIMITS): ParsedRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid(
      'We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.',
    );
  }
  const { model, input, dimensions, encoding_format } = body as Record<string, unknown>;
  if (typeof model !== 'string' || model === '')
    return invalid('you must provide a model parameter', 'model');
  if (input === undefined) return invalid("'input' is a required property", 'input');

  let raw: Array<string | number[]>;
  if (typeof input === 'string') raw = [input];
  else if (isTokenArray(input) && input.length > 0) raw = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'string')) raw = input;
  else if (Array.isArray(input) && input.length > 0 && input.every(isTokenArray)) raw = input;
  else return invalid(INVALID_INPUT, 'input');
  if (raw.length > limits.maxInputs) {
    return invalid(
      `'$.input' is invalid: ${raw.length} inputs, at most ${limits.maxInputs} per request.`,
      'input',
    );
  }

  const native = limits.modelDimensions[model] ?? limits.defaultDimensions;
  let size = native;
  if (dimensions !== undefined && dimensions !== null) {
    if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
      return invalid(
        `Invalid value for 'dimensions' = ${String(dimensions)}. Must be an integer ≥ 1.`,
        'dimensions',
      );
    }
    if (model === 'text-embedding-ada-002') {
      return invalid('This model does not support specifying dimensions.', 'dimensions');
    }
    if (dimensions > native) {
      return invalid(
        `Invalid value for 'dimensions' = ${dimensions}. Must be less than or equal to ${native}.`,
        'dimensions',
      );
    }
    size = dimensions;
  }
  if (encoding_format !== undefined && encoding_format !== 'float' && encoding_format !== 'base64') {
    return invalid(
      `Invalid value for 'encoding_format' = ${String(encoding_format)}. Supported values are 'float' and 'base64'.`,
      'encoding_format',
    );
  }

  const inputs: EmbeddingInput[] = [];
  let total = 0;
  for (const item of raw) {
    let text: string;
    let tokens: number;
    if (typeof item === 'string') {
      if (item === '') return invalid(INVALID_INPUT, 'input');
      text = item;
      tokens = billedTokens(item);
    } else {
      if (item.length === 0 || item.some((t) => t < 0 || t >= vocabularySize))
        return invalid(INVALID_INPUT, 'input');
      text = decode(item);
      tokens = item.length;
    }
    if (tokens > limits.maxInputTokens) {
      const context = limits.maxInputTokens + 1;
      return invalid(
        `This model's maximum context length is ${context} tokens, however you requested ${tokens} tokens (${tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
      );
    }
    total += tokens;
    inputs.push({ text, tokens });
  }
  if (total > limits.maxRequestTokens) {
    return {
      ok: false,
      error: openAIError(
        `Requested ${total} tokens, max ${limits.maxRequestTokens} tokens per request`,
        'max_tokens_per_request',
        null,
        'max_tokens_per_request',
      ),
    };
  }
  return {
    ok: true,
    request: {
      model,
      inputs,
      dimensions: size,
      encodingFormat: encoding_format === 'base64' ? 'base64' : 'float',
    },
  };
}
