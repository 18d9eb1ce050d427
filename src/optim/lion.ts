/**
 * Lion (Chen et al., 2023, "Symbolic discovery of optimization algorithms", Algorithm 2).
 * Lion is not in PyTorch; this follows the paper's pseudocode (and its defaults β₁ = 0.9,
 * β₂ = 0.99), with weight decay decoupled as in its AdamW comparison:
 *
 *   c ← β₁·m + (1 − β₁)·g            (interpolate the momentum and the new gradient)
 *   θ ← θ − lr·(sign(c) + λθ)
 *   m ← β₂·m + (1 − β₂)·g            (expAvg: updated after the step, with its own β₂)
 *
 * Every coordinate moves by exactly lr (plus the decay), so updates are larger than Adam's:
 * the paper uses an lr 3–10× smaller and a weightDecay 3–10× larger than for AdamW.
 * sign(0) = 0, so a coordinate with c = 0 stays put (apart from the decay); a NaN gradient
 * makes its coordinate NaN.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, mul, sub } from '../ops/arithmetic.ts';
import { sign } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { betasOption, checkBetas, checkNonNegative } from './validate.ts';

/** Lion's options (the paper's defaults; lr as in the authors' released code). */
export interface LionOptions extends OptimizerOptions {
  /** Learning rate: every coordinate moves by lr per step. Default 1e-4. */
  lr?: number;
  /** (β₁, β₂): β₁ mixes momentum and gradient for the step's sign, β₂ is the momentum's own decay; each in [0, 1]. Default [0.9, 0.99]. */
  betas?: [number, number];
  /** Decoupled weight decay λ: θ shrinks by lr·λ·θ each step. Default 0. */
  weightDecay?: number;
}

/** Lion's options with every default filled in. */
export type LionGroupOptions = Required<Omit<LionOptions, keyof OptimizerOptions>>;

/** Lion: the sign of an interpolated momentum, from a program search over optimizers. */
export class Lion extends Optimizer<LionGroupOptions> {
  constructor(params: Params<LionGroupOptions>, options: LionOptions = {}) {
    super('Lion', params, {
      lr: options?.lr ?? 1e-4,
      betas: betasOption(options?.betas, [0.9, 0.99]),
      weightDecay: options?.weightDecay ?? 0,
    }, options);
  }

  protected override validateOptions(o: LionGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkBetas(where, o.betas, true);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
  }

  protected override bufferNames(): readonly string[] {
    return ['expAvg'];
  }

  protected override requiredBuffers(): readonly string[] {
    return ['expAvg'];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<LionGroupOptions>): void {
    const { lr, betas: [beta1, beta2], weightDecay } = group;
    const m = this.buffer(state, 'expAvg', p);
    const shrink = 1 - lr * weightDecay;
    if (this.fused) {
      this.applyProgram(LION, { p, g, m }, { lr, beta1, beta2, oneMinusBeta1: 1 - beta1, oneMinusBeta2: 1 - beta2, shrink });
      return;
    }
    const c = add(mul(m, beta1), mul(g, 1 - beta1));
    this.assign(p, sub(mul(p, shrink), mul(sign(c), lr)));
    this.assign(m, add(mul(m, beta2), mul(g, 1 - beta2)));
  }
}

const LION = `
  let c = beta1 * m + oneMinusBeta1 * g
  p = p * shrink - lr * sign(c)
  m = beta2 * m + oneMinusBeta2 * g`;
