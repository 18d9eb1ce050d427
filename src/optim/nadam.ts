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
import '../ops/methods.ts';
import { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../tensor/autograd.ts';
import { Optimizer, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkBoolean, checkNonNegative, checkPositive, checkThat, checkUnitInterval } from './validate.ts';

/** NAdam's options, named and defaulted as in PyTorch (camelCase). */
export interface NAdamOptions {
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
export type NAdamGroupOptions = Required<NAdamOptions>;

/** NAdam: Adam with Nesterov momentum and a warming-up momentum schedule. */
export class NAdam extends Optimizer<NAdamGroupOptions> {
  constructor(params: Params<NAdamGroupOptions>, options: NAdamOptions = {}) {
    super('NAdam', params, {
      lr: options?.lr ?? 2e-3,
      betas: options?.betas ? [...options?.betas] as [number, number] : [0.9, 0.999],
      eps: options?.eps ?? 1e-8,
      weightDecay: options?.weightDecay ?? 0,
      momentumDecay: options?.momentumDecay ?? 4e-3,
      decoupledWeightDecay: options?.decoupledWeightDecay ?? false,
    }, options);
  }

  protected override validateOptions(o: NAdamGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkThat(Array.isArray(o.betas) && o.betas.length === 2, where, `betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
    checkUnitInterval(where, 'betas[0]', o.betas[0]);
    checkUnitInterval(where, 'betas[1]', o.betas[1]);
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

  protected override updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<NAdamGroupOptions>): void {
    const { betas: [beta1], momentumDecay } = group;
    const t = state.step;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
    const muProduct = (state.scalars.muProduct ?? 1) * mu;
    const next = noGrad(() => this.rule(
      p.detach(), grad, this.bufferTensor(state, 'expAvg', p), this.bufferTensor(state, 'expAvgSq', p),
      { t, mu, muNext, muProduct }, group,
    ));
    p.storage = next.theta.storage;
    state.buffers.expAvg = next.expAvg.storage;
    state.buffers.expAvgSq = next.expAvgSq.storage;
    state.scalars.muProduct = muProduct;
  }

  /** The update rule in the header, on tensors; the momentum schedule comes in as numbers. */
  private rule(
    theta: Tensor, g: Tensor, expAvg: Tensor, expAvgSq: Tensor,
    s: { t: number; mu: number; muNext: number; muProduct: number }, o: NAdamGroupOptions,
  ) {
    const { lr, betas: [beta1, beta2], eps, weightDecay, decoupledWeightDecay } = o;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) theta = theta.mul(1 - lr * weightDecay);
      else g = g.add(theta.mul(weightDecay));
    }
    const m = expAvg.mul(beta1).add(g.mul(1 - beta1));
    const v = expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2));
    const d = v.div(1 - beta2 ** s.t).sqrt().add(eps);
    const gradStep = g.div(d).mul((lr * (1 - s.mu)) / (1 - s.muProduct));
    const momentumStep = m.div(d).mul((lr * s.muNext) / (1 - s.muProduct * s.muNext));
    return { theta: theta.sub(gradStep).sub(momentumStep), expAvg: m, expAvgSq: v };
  }
}
