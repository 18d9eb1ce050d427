/**
 * Adam (Kingma & Ba, 2015): momentum on the gradient (first moment m) divided by the root of
 * a moving average of its square (second moment v), both corrected for starting at zero:
 * θ ← θ − lr·m̂ / (√v̂ + ε) with m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
 * Weight decay here is an L2 term added to the gradient; AdamW (adamw.ts) decouples it.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { backend } from '../backend/registry.ts';
import { Optimizer, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkBoolean, checkNonNegative, checkPositive, checkThat, checkUnitInterval } from './validate.ts';

/** Adam's options, named and defaulted as in PyTorch (camelCase). */
export interface AdamOptions {
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
export type AdamGroupOptions = Required<AdamOptions>;

/** What Adam and AdamW share: the moments, bias corrections and AMSGrad; they differ in weight decay. */
export abstract class AdamFamily extends Optimizer<AdamGroupOptions> {
  private readonly decoupled: boolean;

  protected constructor(name: string, decoupled: boolean, params: Params<AdamGroupOptions>, options: AdamOptions, defaultWeightDecay: number) {
    super(name, params, {
      lr: options.lr ?? 1e-3,
      betas: options.betas ? [...options.betas] as [number, number] : [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? defaultWeightDecay,
      amsgrad: options.amsgrad ?? false,
    });
    this.decoupled = decoupled;
  }

  protected override validateOptions(o: AdamGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkThat(Array.isArray(o.betas) && o.betas.length === 2, where, `betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
    checkUnitInterval(where, 'betas[0]', o.betas[0]);
    checkUnitInterval(where, 'betas[1]', o.betas[1]);
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

  protected override updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamGroupOptions>): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, amsgrad } = group;
    const t = state.step;
    const out = backend().adamStep(
      p.storage, grad.storage,
      this.buffer(state, 'expAvg', p), this.buffer(state, 'expAvgSq', p),
      amsgrad ? this.buffer(state, 'maxExpAvgSq', p) : null,
      {
        lr, beta1, beta2, eps, weightDecay, amsgrad, decoupled: this.decoupled,
        biasCorrection1: 1 - beta1 ** t, biasCorrection2: 1 - beta2 ** t,
      },
    );
    p.storage = out.param;
    state.buffers.expAvg = out.expAvg;
    state.buffers.expAvgSq = out.expAvgSq;
    if (out.maxExpAvgSq) state.buffers.maxExpAvgSq = out.maxExpAvgSq;
  }
}

/** Adam with both bias corrections; `weightDecay` is an L2 penalty (see AdamW for the decoupled form). */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamGroupOptions>, options: AdamOptions = {}) {
    super('Adam', false, params, options, 0);
  }
}
