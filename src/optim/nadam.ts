/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum — the step uses the momentum the next
 * step will have, and the momentum factor itself warms up over the first few hundred steps
 * ("momentum decay" ψ, the schedule of Dozat's paper that PyTorch implements).
 *
 *   g ← g + λθ                       (weightDecay λ; or, decoupledWeightDecay: θ ← θ·(1 − lr·λ))
 *   μₜ   ← β₁·(1 − ½·0.96^(t·ψ))
 *   μₜ₊₁ ← β₁·(1 − ½·0.96^((t+1)·ψ))
 *   Πₜ ← Πₜ₋₁·μₜ                     (muProduct, Π₀ = 1)
 *   m ← β₁·m + (1 − β₁)·g            (expAvg)
 *   v ← β₂·v + (1 − β₂)·g²           (expAvgSq)
 *   d ← √(v/(1 − β₂ᵗ)) + ε
 *   θ ← θ − lr·(1 − μₜ)/(1 − Πₜ) · g/d − lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d
 *
 * The m-term uses β₁ (not μ) in the average but μₜ₊₁ in the step, as in PyTorch.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from '../ops/arithmetic.ts';
import { sqrt } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { betasOption, checkBetas, checkBoolean, checkNonNegative, checkPositive } from './validate.ts';

/** NAdam's options, named and defaulted as in PyTorch (camelCase). */
export interface NAdamOptions extends OptimizerOptions {
  /** Learning rate. Default 0.002. */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first- and second-moment averages, each in [0, 1). Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the root of the corrected second moment. Default 1e-8. */
  eps?: number;
  /** Weight decay λ: an L2 term in the gradient, or decoupled (see below). Default 0. */
  weightDecay?: number;
  /** ψ: how fast the momentum factor μₜ rises from β₁/2 towards β₁. Default 0.004. */
  momentumDecay?: number;
  /** Shrink θ by (1 − lr·λ) before the step (as AdamW) instead of adding λθ to the gradient. Default false. */
  decoupledWeightDecay?: boolean;
}

/** NAdam's options with every default filled in. */
export type NAdamGroupOptions = Required<Omit<NAdamOptions, keyof OptimizerOptions>>;

/** NAdam: Adam with Nesterov momentum and a warming-up momentum schedule. */
export class NAdam extends Optimizer<NAdamGroupOptions> {
  constructor(params: Params<NAdamGroupOptions>, options: NAdamOptions = {}) {
    super('NAdam', params, {
      lr: options?.lr ?? 2e-3,
      betas: betasOption(options?.betas, [0.9, 0.999]),
      eps: options?.eps ?? 1e-8,
      weightDecay: options?.weightDecay ?? 0,
      momentumDecay: options?.momentumDecay ?? 4e-3,
      decoupledWeightDecay: options?.decoupledWeightDecay ?? false,
    }, options);
  }

  protected override validateOptions(o: NAdamGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkBetas(where, o.betas);
    checkPositive(where, 'eps', o.eps);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
    checkNonNegative(where, 'momentumDecay', o.momentumDecay);
    checkBoolean(where, 'decoupledWeightDecay', o.decoupledWeightDecay);
  }

  protected override bufferNames(): readonly string[] {
    return ['expAvg', 'expAvgSq'];
  }

  protected override requiredBuffers(): readonly string[] {
    return ['expAvg', 'expAvgSq'];
  }

  // Every μ lies in [0, 1), so their product does too.
  protected override scalarRanges(): Readonly<Record<string, readonly [number, number]>> {
    return { muProduct: [0, 1] };
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<NAdamGroupOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, momentumDecay, decoupledWeightDecay } = group;
    const t = state.step;
    // The momentum schedule is the same for every element: worked out here, in float64.
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
    const muProduct = (state.scalars.muProduct ?? 1) * mu;
    const scalars = {
      beta1, beta2, oneMinusBeta1: 1 - beta1, oneMinusBeta2: 1 - beta2, eps,
      l2: decoupledWeightDecay ? 0 : weightDecay,
      shrink: decoupledWeightDecay ? 1 - lr * weightDecay : 1,
      bc2: 1 - beta2 ** t,
      gradCoef: (lr * (1 - mu)) / (1 - muProduct),
      momCoef: (lr * muNext) / (1 - muProduct * muNext),
    };
    const m = this.buffer(state, 'expAvg', p);
    const v = this.buffer(state, 'expAvgSq', p);
    if (this.fused) {
      this.applyProgram(NADAM, { p, g, m, v }, scalars);
    } else {
      const { l2, shrink, bc2, gradCoef, momCoef } = scalars;
      const gi = add(g, mul(p, l2));
      const mNew = add(mul(m, beta1), mul(gi, 1 - beta1));
      const vNew = add(mul(v, beta2), mul(mul(gi, gi), 1 - beta2));
      const d = add(sqrt(div(vNew, bc2)), eps);
      this.assign(m, mNew);
      this.assign(v, vNew);
      this.assign(p, sub(sub(mul(p, shrink), mul(div(gi, d), gradCoef)), mul(div(mNew, d), momCoef)));
    }
    state.scalars.muProduct = muProduct;
  }
}

const NADAM = `
  let gi = g + l2 * p
  m = beta1 * m + oneMinusBeta1 * gi
  v = beta2 * v + oneMinusBeta2 * gi * gi
  let d = sqrt(v / bc2) + eps
  p = p * shrink - gradCoef * gi / d - momCoef * m / d`;
