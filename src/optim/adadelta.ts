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
import '../ops/methods.ts';
import { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../tensor/autograd.ts';
import { Optimizer, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkClosedUnitInterval, checkNonNegative, checkPositive } from './validate.ts';

/** Adadelta's options, named and defaulted as in PyTorch (camelCase). */
export interface AdadeltaOptions {
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
export type AdadeltaGroupOptions = Required<AdadeltaOptions>;

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

  protected override updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdadeltaGroupOptions>): void {
    const next = noGrad(() => this.rule(p.detach(), grad, this.bufferTensor(state, 'squareAvg', p), this.bufferTensor(state, 'accDelta', p), group));
    p.storage = next.theta.storage;
    state.buffers.squareAvg = next.squareAvg.storage;
    state.buffers.accDelta = next.accDelta.storage;
  }

  /** The update rule in the header, on tensors. */
  private rule(theta: Tensor, g: Tensor, squareAvg: Tensor, accDelta: Tensor, o: AdadeltaGroupOptions) {
    const { lr, rho, eps, weightDecay } = o;
    if (weightDecay !== 0) g = g.add(theta.mul(weightDecay));
    const v = squareAvg.mul(rho).add(g.mul(g).mul(1 - rho));
    const delta = accDelta.add(eps).sqrt().div(v.add(eps).sqrt()).mul(g);
    const u = accDelta.mul(rho).add(delta.mul(delta).mul(1 - rho));
    return { theta: theta.sub(delta.mul(lr)), squareAvg: v, accDelta: u };
  }
}
