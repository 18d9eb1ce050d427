/** Dense (fully connected) layer, PyTorch's Linear. */
import type { Tensor } from '../../tensor/tensor.ts';
import { zeros } from '../../tensor/creation.ts';
import { linear } from '../../ops/linear.ts';
import { checkBoolean, checkInteger, checkOptions } from '../../tensor/validate.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { biasUniform, kaimingUniform } from '../init.ts';

/** Options for Dense. */
export interface DenseOptions {
  /** Learn an additive bias. Default true. */
  bias?: boolean;
}

/** y = x @ weightᵀ + bias, with weight [out, in] and bias [out], initialised as in PyTorch. */
export class Dense extends Module {
  /** [outFeatures, inFeatures]. */
  readonly weight: Parameter;
  /** [outFeatures], or null when built with `bias: false`. */
  readonly bias: Parameter | null;

  /** A layer mapping inFeatures to outFeatures. */
  constructor(
    /** Input features: the last dimension of x, the columns of the weight. */
    readonly inFeatures: number,
    /** Output features: the last dimension of the result, the rows of the weight. */
    readonly outFeatures: number,
    options: DenseOptions = {},
  ) {
    super();
    checkOptions('Dense', options, ['bias']);
    checkBoolean('Dense', 'bias', options.bias ?? true);
    checkInteger('Dense', 'inFeatures', inFeatures, 1);
    checkInteger('Dense', 'outFeatures', outFeatures, 1);
    if (inFeatures * outFeatures > 2147483647) {
      throw new RangeError(`Dense: a weight [${outFeatures}, ${inFeatures}] would hold ${(inFeatures * outFeatures).toExponential(2)} elements, more than the 2147483647 a tensor can hold`);
    }
    this.weight = new Parameter(kaimingUniform(zeros([outFeatures, inFeatures]), inFeatures));
    this.bias = options.bias ?? true ? new Parameter(biasUniform(zeros([outFeatures]), inFeatures)) : null;
  }

  /** x [..., inFeatures] → [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override describe(): string {
    return `Dense(${this.inFeatures}, ${this.outFeatures}${this.bias ? '' : ', bias=false'})`;
  }
}

export { Dense as Linear };
