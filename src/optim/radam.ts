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
import '../ops/methods.ts';
import { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../tensor/autograd.ts';
import { Optimizer, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkBoolean, checkNonNegative, checkPositive, checkThat, checkUnitInterval } from './validate.ts';

/** RAdam's options, named and defaulted as in PyTorch (camelCase). */
export interface RAdamOptions {
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
export type RAdamGroupOptions = Required<RAdamOptions>;

/** RAdam: Adam with the adaptive step rectified while v is still a poor estimate. */
export class RAdam extends Optimizer<RAdamGroupOptions> {
  constructor(params: Params<RAdamGroupOptions>, options: RAdamOptions = {}) {
    super('RAdam', params, {
      lr: options?.lr ?? 1e-3,
      betas: options?.betas ? [...options?.betas] as [number, number] : [0.9, 0.999],
      eps: options?.eps ?? 1e-8,
      weightDecay: options?.weightDecay ?? 0,
      decoupledWeightDecay: options?.decoupledWeightDecay ?? false,
    }, options);
  }

  protected override validateOptions(o: RAdamGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkThat(Array.isArray(o.betas) && o.betas.length === 2, where, `betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
    checkUnitInterval(where, 'betas[0]', o.betas[0]);
    checkUnitInterval(where, 'betas[1]', o.betas[1]);
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

  protected override updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<RAdamGroupOptions>): void {
    const next = noGrad(() => this.rule(p.detach(), grad, this.bufferTensor(state, 'expAvg', p), this.bufferTensor(state, 'expAvgSq', p), state.step, group));
    p.storage = next.theta.storage;
    state.buffers.expAvg = next.expAvg.storage;
    state.buffers.expAvgSq = next.expAvgSq.storage;
  }

  /** The update rule in the header, on tensors; t is the parameter's step count. */
  private rule(theta: Tensor, g: Tensor, expAvg: Tensor, expAvgSq: Tensor, t: number, o: RAdamGroupOptions) {
    const { lr, betas: [beta1, beta2], eps, weightDecay, decoupledWeightDecay } = o;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) theta = theta.mul(1 - lr * weightDecay);
      else g = g.add(theta.mul(weightDecay));
    }
    const m = expAvg.mul(beta1).add(g.mul(1 - beta1));
    const v = expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2));
    const mHat = m.div(1 - beta1 ** t);
    const biasCorrection2 = 1 - beta2 ** t;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rho = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
    let step: Tensor;
    if (rho > 5) {
      const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      step = mHat.mul(lr * r * Math.sqrt(biasCorrection2)).div(v.sqrt().add(eps));
    } else {
      step = mHat.mul(lr);
    }
    return { theta: theta.sub(step), expAvg: m, expAvgSq: v };
  }
}
