/**
 * Stochastic gradient descent with PyTorch's momentum rule: θ ← θ − lr·b with
 * b ← μ·b + (1 − τ)·g, where the buffer starts as the first gradient itself (b₁ = g₁).
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, mul, sub } from '../ops/arithmetic.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkBoolean, checkClosedUnitInterval, checkNonNegative, checkThat } from './validate.ts';

/** SGD's options, named and defaulted as in PyTorch (camelCase). */
export interface SGDOptions extends OptimizerOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor μ. Default 0 (plain gradient descent). */
  momentum?: number;
  /** Dampening τ: the new gradient enters the buffer as (1 − τ)·g. Default 0. */
  dampening?: number;
  /** Nesterov momentum: step along g + μ·b instead of b. Needs momentum > 0 and dampening 0. Default false. */
  nesterov?: boolean;
  /** L2 penalty λ added to the gradient as λ·θ. Default 0. */
  weightDecay?: number;
}

/** SGD's options with every default filled in. */
export type SGDGroupOptions = Required<Omit<SGDOptions, keyof OptimizerOptions>>;

/** Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay. */
export class SGD extends Optimizer<SGDGroupOptions> {
  constructor(params: Params<SGDGroupOptions>, options: SGDOptions) {
    super('SGD', params, {
      lr: options?.lr,
      momentum: options?.momentum ?? 0,
      dampening: options?.dampening ?? 0,
      nesterov: options?.nesterov ?? false,
      weightDecay: options?.weightDecay ?? 0,
    } as SGDGroupOptions, options);
  }

  protected override validateOptions(o: SGDGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkNonNegative(where, 'momentum', o.momentum);
    checkClosedUnitInterval(where, 'dampening', o.dampening);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
    checkBoolean(where, 'nesterov', o.nesterov);
    checkThat(!o.nesterov || (o.momentum > 0 && o.dampening === 0), where,
      `nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
  }

  protected override bufferNames(): readonly string[] {
    return ['momentumBuffer'];
  }

  // A missing momentum buffer is PyTorch's "first step" (b ← g), so nothing is required.
  protected override requiredBuffers(): readonly string[] {
    return [];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<SGDGroupOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = group;
    if (momentum === 0) {
      if (this.fused) this.applyProgram(SGD_PLAIN, { p, g }, { lr, wd: weightDecay });
      else this.assign(p, sub(p, mul(add(g, mul(p, weightDecay)), lr)));
      return;
    }
    const firstStep = state.buffers.momentumBuffer === undefined;
    const b = this.buffer(state, 'momentumBuffer', p);
    // b ← keep·b + inject·g is both b ← g (first step) and b ← μb + (1 − τ)g;
    // the step is cb·b + cg·g: b itself, or Nesterov's g + μb.
    const keep = firstStep ? 0 : momentum;
    const inject = firstStep ? 1 : 1 - dampening;
    const cb = nesterov ? momentum : 1;
    const cg = nesterov ? 1 : 0;
    if (this.fused) {
      this.applyProgram(SGD_MOMENTUM, { p, g, b }, { lr, wd: weightDecay, keep, inject, cb, cg });
      return;
    }
    const gi = add(g, mul(p, weightDecay));
    const bNew = add(mul(b, keep), mul(gi, inject));
    this.assign(b, bNew);
    this.assign(p, sub(p, mul(add(mul(bNew, cb), mul(gi, cg)), lr)));
  }
}

const SGD_PLAIN = 'p = p - lr * (g + wd * p)';

const SGD_MOMENTUM = `
  let gi = g + wd * p
  b = keep * b + inject * gi
  p = p - lr * (cb * b + cg * gi)`;
