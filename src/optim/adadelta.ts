/**
 * Adadelta (Zeiler, 2012): RMSprop whose step is multiplied by a running RMS of the past
 * updates instead of a learning rate, so an update has the units of θ.
 *
 *   g ← g + λθ                                  (weightDecay λ: an L2 term)
 *   v ← ρ·v + (1 − ρ)·g²                        (squareAvg)
 *   Δ ← √(u + ε) / √(v + ε) · g
 *   u ← ρ·u + (1 − ρ)·Δ²                        (accDelta)
 *   θ ← θ − lr·Δ
 *
 * As in PyTorch, ε sits inside both roots and an lr (default 1, the paper's method) scales Δ.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { add, div, mul, sub } from '../ops/arithmetic.ts';
import { sqrt } from '../ops/math.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkClosedUnitInterval, checkNonNegative, checkPositive } from './validate.ts';

/** Adadelta's options, named and defaulted as in PyTorch (camelCase). */
export interface AdadeltaOptions extends OptimizerOptions {
  /** Scales the update Δ. Default 1 (the paper has no learning rate). */
  lr?: number;
  /** Decay ρ of both running averages, in [0, 1]. Default 0.9. */
  rho?: number;
  /** Added inside both square roots; it also sets the size of the first steps, about √ε. Default 1e-6. */
  eps?: number;
  /** L2 penalty λ added to the gradient as λ·θ. Default 0. */
  weightDecay?: number;
}

/** Adadelta's options with every default filled in. */
export type AdadeltaGroupOptions = Required<Omit<AdadeltaOptions, keyof OptimizerOptions>>;

/** Adadelta: RMSprop with the learning rate replaced by the RMS of past updates. */
export class Adadelta extends Optimizer<AdadeltaGroupOptions> {
  constructor(params: Params<AdadeltaGroupOptions>, options: AdadeltaOptions = {}) {
    super('Adadelta', params, {
      lr: options?.lr ?? 1,
      rho: options?.rho ?? 0.9,
      eps: options?.eps ?? 1e-6,
      weightDecay: options?.weightDecay ?? 0,
    }, options);
  }

  protected override validateOptions(o: AdadeltaGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkClosedUnitInterval(where, 'rho', o.rho);
    checkPositive(where, 'eps', o.eps);
    checkNonNegative(where, 'weightDecay', o.weightDecay);
  }

  protected override bufferNames(): readonly string[] {
    return ['squareAvg', 'accDelta'];
  }

  protected override requiredBuffers(): readonly string[] {
    return ['squareAvg', 'accDelta'];
  }

  protected override nonNegativeBuffers(): readonly string[] {
    return ['squareAvg', 'accDelta'];
  }

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<AdadeltaGroupOptions>): void {
    const { lr, rho, eps, weightDecay: wd } = group;
    const v = this.buffer(state, 'squareAvg', p);
    const u = this.buffer(state, 'accDelta', p);
    if (this.fused) {
      this.applyProgram(ADADELTA, { p, g, v, u }, { lr, rho, oneMinusRho: 1 - rho, eps, wd });
      return;
    }
    const gi = add(g, mul(p, wd));
    const vNew = add(mul(v, rho), mul(mul(gi, gi), 1 - rho));
    const delta = mul(div(sqrt(add(u, eps)), sqrt(add(vNew, eps))), gi);
    this.assign(u, add(mul(u, rho), mul(mul(delta, delta), 1 - rho)));
    this.assign(v, vNew);
    this.assign(p, sub(p, mul(delta, lr)));
  }
}

const ADADELTA = `
  let gi = g + wd * p
  v = rho * v + oneMinusRho * gi * gi
  let delta = sqrt(u + eps) / sqrt(v + eps) * gi
  u = rho * u + oneMinusRho * delta * delta
  p = p - lr * delta`;
