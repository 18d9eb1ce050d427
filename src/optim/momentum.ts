/**
 * Gradient descent with momentum, in either of the two forms textbooks write it:
 *
 * - `classical` (Polyak's heavy ball, PyTorch's SGD): v ← μ·v + g, θ ← θ − lr·v.
 *   The velocity sums past gradients, so the step grows to about lr/(1 − μ)·g.
 * - `ema` (Andrew Ng's course and several textbooks): v ← μ·v + (1 − μ)·g, θ ← θ − lr·v,
 *   with v₀ = 0. The velocity averages past gradients, so the step stays about lr·g.
 *   Since v_ema = (1 − μ)·v_classical at every step, this is exactly the path `classical`
 *   takes with lr·(1 − μ), for as long as lr and μ stay fixed.
 *
 * Both run on the SGD kernel: classical is dampening 0 with PyTorch's first-step rule
 * (v₁ = g₁, identical to v₀ = 0), ema is dampening μ with a zero initial velocity.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, mul, sub } from '../ops/arithmetic.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkBoolean, checkNonNegative, checkOneOf, checkThat, checkUnitInterval } from './validate.ts';

/** Which of the two momentum formulas to use. */
export type MomentumVariant = 'classical' | 'ema';

/** Momentum's options. */
export interface MomentumOptions extends OptimizerOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor μ in [0, 1). Default 0.9. */
  momentum?: number;
  /** 'classical' (v ← μv + g) or 'ema' (v ← μv + (1 − μ)g). Default 'classical'. */
  variant?: MomentumVariant;
  /**
   * Nesterov's look-ahead: step along the velocity the next step would have with the same
   * gradient (classical: g + μv, ema: (1 − μ)g + μv). Default false.
   */
  nesterov?: boolean;
}

/** Momentum's options with every default filled in. */
export type MomentumGroupOptions = Required<Omit<MomentumOptions, keyof OptimizerOptions>>;

/** Gradient descent with classical (heavy-ball) or exponential-moving-average momentum. */
export class Momentum extends Optimizer<MomentumGroupOptions> {
  constructor(params: Params<MomentumGroupOptions>, options: MomentumOptions) {
    super('Momentum', params, {
      lr: options?.lr,
      momentum: options?.momentum ?? 0.9,
      variant: options?.variant ?? 'classical',
      nesterov: options?.nesterov ?? false,
    } as MomentumGroupOptions, options);
  }

  protected override validateOptions(o: MomentumGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkUnitInterval(where, 'momentum', o.momentum);
    checkOneOf(where, 'variant', o.variant, ['classical', 'ema']);
    checkBoolean(where, 'nesterov', o.nesterov);
    checkThat(!o.nesterov || o.momentum > 0, where, `nesterov needs momentum > 0, got momentum ${o.momentum}`);
  }

  protected override bufferNames(): readonly string[] {
    return ['velocity'];
  }

  // A missing velocity means a fresh start in both variants (v₁ = g₁, or v₀ = 0).
  protected override requiredBuffers(): readonly string[] {
    return [];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<MomentumGroupOptions>): void {
    const { lr, momentum, variant, nesterov } = group;
    if (momentum === 0) {
      if (this.fused) this.applyProgram('p = p - lr * g', { p, g }, { lr });
      else this.assign(p, sub(p, mul(g, lr)));
      return;
    }
    const ema = variant === 'ema';
    const fresh = state.buffers.velocity === undefined;
    const v = this.buffer(state, 'velocity', p);
    // v ← keep·v + inject·g: classical v = μv + g (v₁ = g), ema v = μv + (1 − μ)g (v₀ = 0);
    // the step is cv·v + cg·g: v itself, or with Nesterov the look-ahead μv + (1 − τ)g.
    const keep = fresh && !ema ? 0 : momentum;
    const inject = ema ? 1 - momentum : 1;
    const cv = nesterov ? momentum : 1;
    const cg = nesterov ? inject : 0;
    if (this.fused) {
      this.applyProgram(MOMENTUM, { p, g, v }, { lr, keep, inject, cv, cg });
      return;
    }
    const vNew = add(mul(v, keep), mul(g, inject));
    this.assign(v, vNew);
    this.assign(p, sub(p, mul(add(mul(vNew, cv), mul(g, cg)), lr)));
  }
}

const MOMENTUM = `
  v = keep * v + inject * g
  p = p - lr * (cv * v + cg * g)`;
