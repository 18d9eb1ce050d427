/**
 * RMSprop (Hinton's lecture 6e, 2012): divide each coordinate's step by the root of a moving
 * average of its squared gradients — AdaGrad with a memory that fades, so steps do not
 * shrink forever. `centered` subtracts the squared mean gradient (Graves, 2013), dividing by
 * an estimate of the gradient's standard deviation instead.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from '../ops/arithmetic.ts';
import { maximum, sqrt } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkBoolean, checkNonNegative, checkPositive, checkUnitInterval } from './validate.ts';

/** RMSprop's options, named and defaulted as in PyTorch (camelCase). */
export interface RMSpropOptions extends OptimizerOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** Smoothing constant α of the squared-gradient average, in [0, 1). Default 0.99. */
  alpha?: number;
  /** Added to the square root in the denominator. Default 1e-8. */
  eps?: number;
  /** Momentum μ applied to the normalised step. Default 0. */
  momentum?: number;
  /** Normalise by the estimated variance v − ḡ² instead of v. Default false. */
  centered?: boolean;
  /** L2 penalty λ added to the gradient as λ·θ. Default 0. */
  weightDecay?: number;
}

/** RMSprop's options with every default filled in. */
export type RMSpropGroupOptions = Required<Omit<RMSpropOptions, keyof OptimizerOptions>>;

/** RMSprop: steps scaled by a moving root-mean-square of recent gradients. */
export class RMSprop extends Optimizer<RMSpropGroupOptions> {
  constructor(params: Params<RMSpropGroupOptions>, options: RMSpropOptions = {}) {
    super('RMSprop', params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
      weightDecay: options.weightDecay ?? 0,
    }, options);
  }

  protected override validateOptions(o: RMSpropGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkUnitInterval(where, 'alpha', o.alpha);
    checkPositive(where, 'eps', o.eps);
    checkNonNegative(where, 'momentum', o.momentum);
    checkBoolean(where, 'centered', o.centered);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
  }

  protected override bufferNames(): readonly string[] {
    return ['squareAvg', 'gradAvg', 'momentumBuffer'];
  }

  protected override requiredBuffers(o: RMSpropGroupOptions): readonly string[] {
    return ['squareAvg', ...(o.centered ? ['gradAvg'] : []), ...(o.momentum > 0 ? ['momentumBuffer'] : [])];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<RMSpropGroupOptions>): void {
    const { lr, alpha, eps, momentum, centered, weightDecay: wd } = group;
    const v = this.buffer(state, 'squareAvg', p);
    const a = centered ? this.buffer(state, 'gradAvg', p) : null;
    const b = momentum > 0 ? this.buffer(state, 'momentumBuffer', p) : null;
    if (this.fused) {
      const source = `
        let gi = g + wd * p
        v = alpha * v + oneMinusAlpha * gi * gi
        ${a ? 'a = alpha * a + oneMinusAlpha * gi' : ''}
        let d = gi / (sqrt(${a ? 'max(v - a * a, 0)' : 'v'}) + eps)
        ${b ? 'b = mu * b + d\n        p = p - lr * b' : 'p = p - lr * d'}`;
      this.applyProgram(source, { p, g, v, ...(a ? { a } : {}), ...(b ? { b } : {}) }, { lr, alpha, oneMinusAlpha: 1 - alpha, eps, wd, mu: momentum });
      return;
    }
    const gi = add(g, mul(p, wd));
    const vNew = add(mul(v, alpha), mul(mul(gi, gi), 1 - alpha));
    this.assign(v, vNew);
    let variance = vNew;
    if (a) {
      const aNew = add(mul(a, alpha), mul(gi, 1 - alpha));
      this.assign(a, aNew);
      // v ≥ ḡ² holds exactly, but rounding can push the difference a hair below zero.
      variance = maximum(sub(vNew, mul(aNew, aNew)), 0);
    }
    const d = div(gi, add(sqrt(variance), eps));
    if (b) {
      const bNew = add(mul(b, momentum), d);
      this.assign(b, bNew);
      this.assign(p, sub(p, mul(bNew, lr)));
    } else {
      this.assign(p, sub(p, mul(d, lr)));
    }
  }
}
