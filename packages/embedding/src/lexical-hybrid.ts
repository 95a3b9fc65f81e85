import { HashEmbeddingProvider } from './hash-provider.js';
import type { LexicalPart } from './local-models.js';

/**
 * Dense and lexical scores in one vector: [√w · model vector, √(1−w) · word features], each part unit
 * length, so the cosine of two such vectors is exactly w · (model cosine) + (1 − w) · (words cosine). One
 * FloatVector field and one COSINE search (DESIGN §5) then rank by meaning and by the words a query shares
 * with the head of a product's text (template v2: title, brand, category, attributes), with no second field
 * or re-rank. Queries and documents go
 * through the same function (without the model's query instruction: that is for the model, not the words).
 */
export class LexicalHybrid {
  private readonly words: HashEmbeddingProvider;
  private readonly denseScale: number;
  private readonly wordsScale: number;

  constructor(
    private readonly part: LexicalPart,
    private readonly denseDimension: number,
  ) {
    if (!(part.weight > 0 && part.weight < 1))
      throw new RangeError(`weight must be in (0, 1), got ${part.weight}`);
    this.words = new HashEmbeddingProvider({ dimension: part.dimension });
    this.denseScale = Math.sqrt(part.weight);
    this.wordsScale = Math.sqrt(1 - part.weight);
  }

  get dimension(): number {
    return this.denseDimension + this.part.dimension;
  }

  combine(dense: Float32Array, text: string): Float32Array {
    if (dense.length !== this.denseDimension)
      throw new RangeError(`dense vector has ${dense.length} dimensions, expected ${this.denseDimension}`);
    let squares = 0;
    for (let i = 0; i < dense.length; i++) squares += dense[i]! * dense[i]!;
    // The model's pooling normalises already; dividing again keeps the weights exact if it ever does not.
    const scale = squares > 0 ? this.denseScale / Math.sqrt(squares) : 0;
    const words = this.words.embedOne(text.slice(0, this.part.headChars));
    const out = new Float32Array(this.dimension);
    for (let i = 0; i < dense.length; i++) out[i] = dense[i]! * scale;
    for (let i = 0; i < words.length; i++) out[this.denseDimension + i] = words[i]! * this.wordsScale;
    return out;
  }
}
