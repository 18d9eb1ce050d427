/**
 * Adam (Kingma & Ba, 2015): momentum on the gradient (first moment m) divided by the root of
 * a moving average of its square (second moment v), both corrected for starting at zero:
 * θ ← θ − lr·m̂ / (√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
 * Weight decay here is an L2 term added to the gradient; AdamW (adamw.ts) decouples it.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from '../ops/arithmetic.ts';
import { maximum, sqrt } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { betasOption, checkBetas, checkBoolean, checkNonNegative, checkPositive } from './validate.ts';

/** Adam's options, named and defaulted as in PyTorch (camelCase). */
export interface AdamOptions extends OptimizerOptions {
  /** Learning rate. Default 0.001. */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first- and second-moment averages, each in [0, 1). Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to √v̂ in the denominator. Default 1e-8. */
  eps?: number;
  /** Weight decay λ (Adam: L2 term λ·θ in the gradient; AdamW: θ ← θ·(1 − lr·λ)). Default 0 (AdamW: 0.01). */
  weightDecay?: number;
  /** AMSGrad (Reddi et al., 2018): divide by the largest v seen so far, never a smaller one. Default false. */
  amsgrad?: boolean;
}

/** Adam's options with every default filled in. */
export type AdamGroupOptions = Required<Omit<AdamOptions, keyof OptimizerOptions>>;

/** What Adam and AdamW share: the moments, bias corrections and AMSGrad; they differ in weight decay. */
export abstract class AdamFamily extends Optimizer<AdamGroupOptions> {
  private readonly decoupled: boolean;

  protected constructor(name: string, decoupled: boolean, params: Params<AdamGroupOptions>, options: AdamOptions, defaultWeightDecay: number) {
    super(name, params, {
      lr: options.lr ?? 1e-3,
      betas: betasOption(options.betas, [0.9, 0.999]),
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? defaultWeightDecay,
      amsgrad: options.amsgrad ?? false,
    }, options);
    this.decoupled = decoupled;
  }

  protected override validateOptions(o: AdamGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkBetas(where, o.betas);
    checkPositive(where, 'eps', o.eps);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
    checkBoolean(where, 'amsgrad', o.amsgrad);
  }

  protected override bufferNames(): readonly string[] {
    return ['expAvg', 'expAvgSq', 'maxExpAvgSq'];
  }

  protected override requiredBuffers(o: AdamGroupOptions): readonly string[] {
    return o.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq'];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<AdamGroupOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad } = group;
    const t = state.step;
    const m = this.buffer(state, 'expAvg', p);
    const v = this.buffer(state, 'expAvgSq', p);
    const vmax = amsgrad ? this.buffer(state, 'maxExpAvgSq', p) : null;
    // L2 decay enters the gradient; decoupled (AdamW) decay shrinks the parameter instead.
    const l2 = this.decoupled ? 0 : weightDecay;
    const shrink = this.decoupled ? 1 - lr * weightDecay : 1;
    const stepSize = lr / (1 - beta1 ** t);
    const invBc2Sqrt = 1 / Math.sqrt(1 - beta2 ** t);
    if (this.fused) {
      this.applyProgram(vmax ? ADAM_AMSGRAD : ADAM, { p, g, m, v, ...(vmax ? { vmax } : {}) }, { beta1, beta2, oneMinusBeta1: 1 - beta1, oneMinusBeta2: 1 - beta2, eps, l2, shrink, stepSize, invBc2Sqrt });
      return;
    }
    const gi = add(g, mul(p, l2));
    const mNew = add(mul(m, beta1), mul(gi, 1 - beta1));
    const vNew = add(mul(v, beta2), mul(mul(gi, gi), 1 - beta2));
    this.assign(m, mNew);
    this.assign(v, vNew);
    let denom = vNew;
    if (vmax) {
      denom = maximum(vmax, vNew);
      this.assign(vmax, denom);
    }
    this.assign(p, sub(mul(p, shrink), div(mul(mNew, stepSize), add(mul(sqrt(denom), invBc2Sqrt), eps))));
  }
}

const ADAM = `
  let gi = g + l2 * p
  m = beta1 * m + oneMinusBeta1 * gi
  v = beta2 * v + oneMinusBeta2 * gi * gi
  p = p * shrink - stepSize * m / (sqrt(v) * invBc2Sqrt + eps)`;

const ADAM_AMSGRAD = `
  let gi = g + l2 * p
  m = beta1 * m + oneMinusBeta1 * gi
  v = beta2 * v + oneMinusBeta2 * gi * gi
  vmax = max(vmax, v)
  p = p * shrink - stepSize * m / (sqrt(vmax) * invBc2Sqrt + eps)`;

/** Adam with both bias corrections; `weightDecay` is an L2 penalty (see AdamW for the decoupled form). */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamGroupOptions>, options: AdamOptions = {}) {
    super('Adam', false, params, options, 0);
  }
}
