/** Embedding: a learned vector per token id. */
import type { Tensor } from '../../tensor/tensor.ts';
import { zeros } from '../../tensor/creation.ts';
import { checkInteger, checkOptions } from '../../tensor/validate.ts';
import { checkPaddingIdx, embedding } from '../../ops/embedding.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { normal } from '../init.ts';

export interface EmbeddingOptions {
  /** A row that starts at zero and gets no gradient (a padding token); negative counts from the end. */
  paddingIdx?: number | null;
}

/**
 * indices (int32, any shape) → [...indices.shape, embeddingDim]: row i of the weight
 * [numEmbeddings, embeddingDim], which starts from N(0, 1) as in PyTorch. Training updates
 * only the rows looked up.
 */
export class Embedding extends Module {
  /** Shape [numEmbeddings, embeddingDim]; row i is the vector of index i. */
  readonly weight: Parameter;
  /** The row that gets no gradient (resolved to a non-negative index), or null. */
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkInteger('Embedding', 'numEmbeddings', numEmbeddings, 1);
    checkInteger('Embedding', 'embeddingDim', embeddingDim, 1);
    checkOptions('Embedding', options, ['paddingIdx']);
    this.paddingIdx = checkPaddingIdx('Embedding', options.paddingIdx, numEmbeddings);
    const w = normal(zeros([numEmbeddings, embeddingDim]));
    if (this.paddingIdx !== null) w.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = new Parameter(w);
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`})`;
  }
}
