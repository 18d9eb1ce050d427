/**
 * AdaGrad (Duchi, Hazan & Singer, 2011): each coordinate's step is divided by the root of
 * the sum of all its past squared gradients, so often-updated coordinates slow down and
 * rarely-updated ones keep a large step. The sum only grows, so steps shrink for good.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from '../ops/arithmetic.ts';
import { sqrt } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkNonNegative, checkPositive } from './validate.ts';

/** AdaGrad's options, named and defaulted as in PyTorch (camelCase). */
export interface AdaGradOptions extends OptimizerOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** The learning rate at step t is lr / (1 + (t − 1)·lrDecay). Default 0. */
  lrDecay?: number;
  /** L2 penalty λ added to the gradient as λ·θ. Default 0. */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients. Default 0. */
  initialAccumulatorValue?: number;
  /** Added to √sum in the denominator. Default 1e-10. */
  eps?: number;
}

/** AdaGrad's options with every default filled in. */
export type AdaGradGroupOptions = Required<Omit<AdaGradOptions, keyof OptimizerOptions>>;

/** AdaGrad: per-coordinate steps scaled by the accumulated squared gradients. */
export class AdaGrad extends Optimizer<AdaGradGroupOptions> {
  constructor(params: Params<AdaGradGroupOptions>, options: AdaGradOptions = {}) {
    super('AdaGrad', params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
    }, options);
  }

  protected override validateOptions(o: AdaGradGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkNonNegative(where, 'lrDecay', o.lrDecay);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
    checkNonNegative(where, 'initialAccumulatorValue', o.initialAccumulatorValue);
    checkPositive(where, 'eps', o.eps);
  }

  protected override bufferNames(): readonly string[] {
    return ['sum'];
  }

  protected override requiredBuffers(): readonly string[] {
    return ['sum'];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<AdaGradGroupOptions>): void {
    const sum = this.buffer(state, 'sum', p, group.initialAccumulatorValue);
    const { weightDecay: wd, eps } = group;
    const lr = group.lr / (1 + (state.step - 1) * group.lrDecay);
    if (this.fused) {
      this.applyProgram(ADAGRAD, { p, g, sum }, { lr, wd, eps });
      return;
    }
    const gi = add(g, mul(p, wd));
    const sumNew = add(sum, mul(gi, gi));
    this.assign(sum, sumNew);
    this.assign(p, sub(p, div(mul(gi, lr), add(sqrt(sumNew), eps))));
  }
}

const ADAGRAD = `
  let gi = g + wd * p
  sum = sum + gi * gi
  p = p - lr * gi / (sqrt(sum) + eps)`;
