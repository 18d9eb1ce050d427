/**
 * RAdam (Liu et al., 2020): Adam whose adaptive step is switched on only once the variance
 * of v's estimate is tractable, and then scaled by a "rectification" r ≤ 1 that grows to 1 —
 * a warm-up derived from the length ρ of the average v approximates.
 *
 *   g ← g + λθ                       (weightDecay λ; or, decoupledWeightDecay: θ ← θ·(1 − lr·λ))
 *   m ← β₁·m + (1 − β₁)·g            (expAvg)
 *   v ← β₂·v + (1 − β₂)·g²           (expAvgSq)
 *   m̂ ← m/(1 − β₁ᵗ)
 *   ρ∞ ← 2/(1 − β₂) − 1,   ρₜ ← ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
 *   if ρₜ > 5:   r ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
 *                θ ← θ − lr·m̂·r·√(1 − β₂ᵗ)/(√v + ε)
 *   else:        θ ← θ − lr·m̂                     (plain momentum SGD for the first steps)
 *
 * The threshold 5 is PyTorch's (the paper's Algorithm 2 uses 4); with the default β₂ the
 * adaptive step starts at t = 6.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from '../ops/arithmetic.ts';
import { sqrt } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { betasOption, checkBetas, checkBoolean, checkNonNegative, checkPositive } from './validate.ts';

/** RAdam's options, named and defaulted as in PyTorch (camelCase). */
export interface RAdamOptions extends OptimizerOptions {
  /** Learning rate. Default 0.001. */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first- and second-moment averages, each in [0, 1). Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to √v in the denominator. Default 1e-8. */
  eps?: number;
  /** Weight decay λ: an L2 term in the gradient, or decoupled (see below). Default 0. */
  weightDecay?: number;
  /** Shrink θ by (1 − lr·λ) before the step (as AdamW) instead of adding λθ to the gradient. Default false. */
  decoupledWeightDecay?: boolean;
}

/** RAdam's options with every default filled in. */
export type RAdamGroupOptions = Required<Omit<RAdamOptions, keyof OptimizerOptions>>;

/** RAdam: Adam with the adaptive step rectified while v is still a poor estimate. */
export class RAdam extends Optimizer<RAdamGroupOptions> {
  constructor(params: Params<RAdamGroupOptions>, options: RAdamOptions = {}) {
    super('RAdam', params, {
      lr: options?.lr ?? 1e-3,
      betas: betasOption(options?.betas, [0.9, 0.999]),
      eps: options?.eps ?? 1e-8,
      weightDecay: options?.weightDecay ?? 0,
      decoupledWeightDecay: options?.decoupledWeightDecay ?? false,
    }, options);
  }

  protected override validateOptions(o: RAdamGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkBetas(where, o.betas);
    checkPositive(where, 'eps', o.eps);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
    checkBoolean(where, 'decoupledWeightDecay', o.decoupledWeightDecay);
  }

  protected override bufferNames(): readonly string[] {
    return ['expAvg', 'expAvgSq'];
  }

  protected override requiredBuffers(): readonly string[] {
    return ['expAvg', 'expAvgSq'];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<RAdamGroupOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, decoupledWeightDecay } = group;
    const t = state.step;
    // Whether this step is rectified, and by how much, is the same for every element: decided here.
    const biasCorrection2 = 1 - beta2 ** t;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rho = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
    const rectified = rho > 5;
    const r = rectified ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho)) : 0;
    // The step on m: m̂·lr·r·√(1 − β₂ᵗ) before the division by √v + ε, or m̂·lr unrectified.
    const stepSize = (lr / (1 - beta1 ** t)) * (rectified ? r * Math.sqrt(biasCorrection2) : 1);
    const l2 = decoupledWeightDecay ? 0 : weightDecay;
    const shrink = decoupledWeightDecay ? 1 - lr * weightDecay : 1;
    const m = this.buffer(state, 'expAvg', p);
    const v = this.buffer(state, 'expAvgSq', p);
    if (this.fused) {
      this.applyProgram(rectified ? RADAM_RECTIFIED : RADAM_SGD, { p, g, m, v }, { beta1, beta2, oneMinusBeta1: 1 - beta1, oneMinusBeta2: 1 - beta2, eps, l2, shrink, stepSize });
      return;
    }
    const gi = add(g, mul(p, l2));
    const mNew = add(mul(m, beta1), mul(gi, 1 - beta1));
    const vNew = add(mul(v, beta2), mul(mul(gi, gi), 1 - beta2));
    this.assign(m, mNew);
    this.assign(v, vNew);
    const step = rectified ? div(mul(mNew, stepSize), add(sqrt(vNew), eps)) : mul(mNew, stepSize);
    this.assign(p, sub(mul(p, shrink), step));
  }
}

const RADAM_MOMENTS = `
  let gi = g + l2 * p
  m = beta1 * m + oneMinusBeta1 * gi
  v = beta2 * v + oneMinusBeta2 * gi * gi`;

const RADAM_RECTIFIED = `${RADAM_MOMENTS}
  p = p * shrink - stepSize * m / (sqrt(v) + eps)`;

// v is still updated while the steps are plain momentum: the rectified steps need its history.
const RADAM_SGD = `${RADAM_MOMENTS}
  p = p * shrink - stepSize * m`;
