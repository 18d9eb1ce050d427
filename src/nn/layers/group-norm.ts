/** GroupNorm: normalisation over groups of channels, per sample. */
import type { Tensor } from '../../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../../tensor/errors.ts';
import { ones, zeros } from '../../tensor/creation.ts';
import { checkBoolean, checkInteger, checkPositive, checkOptions } from '../../tensor/validate.ts';
import { groupNorm } from '../../ops/norm.ts';
import { Module, expectDims } from '../module.ts';
import { Parameter } from '../parameter.ts';

export interface GroupNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /** Learn a per-channel scale (weight, from 1) and shift (bias, from 0). Default true. */
  affine?: boolean;
}

/**
 * x [N, C, …]: the channels form `numGroups` groups of C/numGroups, and each group of each
 * sample is normalised over its channels and positions; then weight[c]·y + bias[c]. Does
 * not depend on the batch, so it behaves the same in training and evaluation.
 */
export class GroupNorm extends Module {
  /** Per-channel scale [numChannels], from 1. */
  readonly weight: Parameter | null;
  /** Per-channel shift [numChannels], from 0. */
  readonly bias: Parameter | null;
  readonly eps: number;

  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    checkInteger('GroupNorm', 'numGroups', numGroups, 1);
    checkInteger('GroupNorm', 'numChannels', numChannels, 1);
    if (numChannels % numGroups !== 0) throw new RangeError(`GroupNorm: ${numGroups} groups do not divide ${numChannels} channels`);
    checkOptions('GroupNorm', options, ['eps', 'affine']);
    this.eps = options.eps ?? 1e-5;
    checkPositive('GroupNorm', 'eps', this.eps);
    const affine = options.affine ?? true;
    checkBoolean('GroupNorm', 'affine', affine);
    this.weight = affine ? new Parameter(ones([numChannels])) : null;
    this.bias = affine ? new Parameter(zeros([numChannels])) : null;
  }

  forward(x: Tensor): Tensor {
    expectDims('GroupNorm', x, [2, 3, 4, 5], '[N, C, …]');
    if (x.shape[1] !== this.numChannels) {
      throw new ShapeError(`GroupNorm(${this.numGroups}, ${this.numChannels}): input ${fmtShape(x.shape)} has ${x.shape[1]} channels, expected ${this.numChannels}`);
    }
    return groupNorm(x, this.numGroups, this.weight, this.bias, { eps: this.eps });
  }

  override describe(): string {
    return `GroupNorm(${this.numGroups}, ${this.numChannels}, eps=${this.eps}${this.weight ? '' : ', affine=false'})`;
  }
}
