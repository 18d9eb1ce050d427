/**
 * Adamax (Kingma & Ba, 2015, section 7.1): Adam with the L2 norm of past gradients replaced
 * by the L∞ norm — an exponentially weighted maximum of |g|, which needs no bias correction.
 *
 *   g ← g + λθ                                  (weightDecay λ: an L2 term)
 *   m ← β₁·m + (1 − β₁)·g                       (expAvg)
 *   u ← max(β₂·u, |g| + ε)                      (expInf)
 *   θ ← θ − lr/(1 − β₁ᵗ) · m/u
 *
 * ε is added to |g| inside the max, as PyTorch does, so u > 0 from the first step on.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from '../ops/arithmetic.ts';
import { abs, maximum } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { betasOption, checkBetas, checkNonNegative, checkPositive } from './validate.ts';

/** Adamax's options, named and defaulted as in PyTorch (camelCase). */
export interface AdamaxOptions extends OptimizerOptions {
  /** Learning rate: with a steady gradient, each coordinate moves by about lr per step. Default 0.002. */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first moment and of the maximum, each in [0, 1). Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to |g| inside the maximum. Default 1e-8. */
  eps?: number;
  /** L2 penalty λ added to the gradient as λ·θ. Default 0. */
  weightDecay?: number;
}

/** Adamax's options with every default filled in. */
export type AdamaxGroupOptions = Required<Omit<AdamaxOptions, keyof OptimizerOptions>>;

/** Adamax: Adam with an exponentially weighted infinity norm in the denominator. */
export class Adamax extends Optimizer<AdamaxGroupOptions> {
  constructor(params: Params<AdamaxGroupOptions>, options: AdamaxOptions = {}) {
    super('Adamax', params, {
      lr: options?.lr ?? 2e-3,
      betas: betasOption(options?.betas, [0.9, 0.999]),
      eps: options?.eps ?? 1e-8,
      weightDecay: options?.weightDecay ?? 0,
    }, options);
  }

  protected override validateOptions(o: AdamaxGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkBetas(where, o.betas);
    checkPositive(where, 'eps', o.eps);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
  }

  protected override bufferNames(): readonly string[] {
    return ['expAvg', 'expInf'];
  }

  protected override requiredBuffers(): readonly string[] {
    return ['expAvg', 'expInf'];
  }

  protected override nonNegativeBuffers(): readonly string[] {
    return ['expInf'];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<AdamaxGroupOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay: wd } = group;
    const m = this.buffer(state, 'expAvg', p);
    const u = this.buffer(state, 'expInf', p);
    const stepSize = lr / (1 - beta1 ** state.step);
    if (this.fused) {
      this.applyProgram(ADAMAX, { p, g, m, u }, { beta1, oneMinusBeta1: 1 - beta1, beta2, eps, wd, stepSize });
      return;
    }
    const gi = add(g, mul(p, wd));
    const mNew = add(mul(m, beta1), mul(gi, 1 - beta1));
    const uNew = maximum(mul(u, beta2), add(abs(gi), eps));
    this.assign(m, mNew);
    this.assign(u, uNew);
    this.assign(p, sub(p, mul(div(mNew, uNew), stepSize)));
  }
}

const ADAMAX = `
  let gi = g + wd * p
  m = beta1 * m + oneMinusBeta1 * gi
  u = max(beta2 * u, abs(gi) + eps)
  p = p - stepSize * m / u`;
