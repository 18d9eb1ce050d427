/** LayerNorm: normalisation over each sample's trailing dimensions. */
import type { Tensor } from '../../tensor/tensor.ts';
import { ones, zeros } from '../../tensor/creation.ts';
import { checkBoolean, checkPositive, checkOptions, show } from '../../tensor/validate.ts';
import { layerNorm } from '../../ops/norm.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';

export interface LayerNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn an elementwise scale (weight, from 1) and shift (bias, from 0) of the normalized shape. Default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, learn the shift too. Default true. */
  bias?: boolean;
}

/**
 * y = (x − mean)/√(var + eps)·weight + bias with the statistics of each sample (and each
 * position of a sequence) over the trailing `normalizedShape` dimensions, in training and
 * evaluation alike. x [..., *normalizedShape]; weight and bias [*normalizedShape].
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  /** Elementwise scale of the normalized shape, from 1. */
  readonly weight: Parameter | null;
  /** Elementwise shift of the normalized shape, from 0. */
  readonly bias: Parameter | null;
  readonly eps: number;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new RangeError(`LayerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${show(normalizedShape)}`);
    }
    checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'bias']);
    this.normalizedShape = [...shape];
    this.eps = options.eps ?? 1e-5;
    checkPositive('LayerNorm', 'eps', this.eps);
    const affine = options.elementwiseAffine ?? true;
    const bias = options.bias ?? true;
    checkBoolean('LayerNorm', 'elementwiseAffine', affine);
    checkBoolean('LayerNorm', 'bias', bias);
    this.weight = affine ? new Parameter(ones(shape)) : null;
    this.bias = affine && bias ? new Parameter(zeros(shape)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }

  override describe(): string {
    return `LayerNorm([${this.normalizedShape.join(',')}], eps=${this.eps}${this.weight ? '' : ', elementwiseAffine=false'})`;
  }
}
