/**
 * Rprop (Riedmiller & Braun, 1993): ignore the gradient's size, keep only its sign, and give
 * every coordinate its own step size, grown while the sign holds and cut when it flips.
 *
 *   s ← sign(g · g_prev)                        (g_prev: prev, 0 at the start)
 *   η ← clamp(η·η₊, ηmin, ηmax)   where s > 0   (stepSize, starting at lr)
 *   η ← clamp(η·η₋, ηmin, ηmax),  g ← 0   where s < 0
 *   η ← clamp(η, ηmin, ηmax)      where s = 0
 *   θ ← θ − η·sign(g)
 *   g_prev ← g
 *
 * This is PyTorch's variant ("Rprop−" without weight backtracking): after a sign change the
 * coordinate does not move, and the zeroed gradient makes the next step a neutral one. Rprop
 * is meant for full-batch gradients; mini-batch noise flips signs at random.
 * lr only sets the initial step sizes: changing it (or scheduling it) later has no effect.
 */
import '../ops/methods.ts';
import { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../tensor/autograd.ts';
import { Optimizer, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { clamp, sign } from './interim-ops.ts';
import { checkNonNegative, checkThat } from './validate.ts';

/** Rprop's options, named and defaulted as in PyTorch (camelCase). */
export interface RpropOptions {
  /** The initial step size of every coordinate. Default 0.01. */
  lr?: number;
  /** (η₋, η₊): step-size factors after a sign change and after a repeated sign, 0 < η₋ < 1 < η₊. Default [0.5, 1.2]. */
  etas?: [number, number];
  /** (ηmin, ηmax): bounds on every step size, 0 ≤ ηmin ≤ ηmax. Default [1e-6, 50]. */
  stepSizes?: [number, number];
}

/** Rprop's options with every default filled in. */
export type RpropGroupOptions = Required<RpropOptions>;

/** Rprop: sign-based steps with per-coordinate adaptive step sizes. */
export class Rprop extends Optimizer<RpropGroupOptions> {
  constructor(params: Params<RpropGroupOptions>, options: RpropOptions = {}) {
    super('Rprop', params, {
      lr: options?.lr ?? 1e-2,
      etas: options?.etas ? [...options?.etas] as [number, number] : [0.5, 1.2],
      stepSizes: options?.stepSizes ? [...options?.stepSizes] as [number, number] : [1e-6, 50],
    }, options);
  }

  protected override validateOptions(o: RpropGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkThat(Array.isArray(o.etas) && o.etas.length === 2, where, `etas must be a pair [etaMinus, etaPlus], got ${JSON.stringify(o.etas)}`);
    const [etaMinus, etaPlus] = o.etas;
    checkThat(typeof etaMinus === 'number' && typeof etaPlus === 'number' && etaMinus > 0 && etaMinus < 1 && etaPlus > 1 && Number.isFinite(etaPlus), where,
      `etas must satisfy 0 < etas[0] < 1 < etas[1], got ${JSON.stringify(o.etas)}`);
    checkThat(Array.isArray(o.stepSizes) && o.stepSizes.length === 2, where, `stepSizes must be a pair [min, max], got ${JSON.stringify(o.stepSizes)}`);
    checkNonNegative(where, 'stepSizes[0]', o.stepSizes[0]);
    checkNonNegative(where, 'stepSizes[1]', o.stepSizes[1]);
    checkThat(o.stepSizes[0] <= o.stepSizes[1], where, `stepSizes must be [min, max] with min ≤ max, got ${JSON.stringify(o.stepSizes)}`);
  }

  protected override bufferNames(): readonly string[] {
    return ['prev', 'stepSize'];
  }

  protected override requiredBuffers(): readonly string[] {
    return ['prev', 'stepSize'];
  }

  protected override nonNegativeBuffers(): readonly string[] {
    return ['stepSize'];
  }

  protected override updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<RpropGroupOptions>): void {
    const next = noGrad(() => this.rule(p.detach(), grad, this.bufferTensor(state, 'prev', p), this.bufferTensor(state, 'stepSize', p, group.lr), group));
    p.storage = next.theta.storage;
    state.buffers.prev = next.prev.storage;
    state.buffers.stepSize = next.stepSize.storage;
  }

  /** The update rule in the header, on tensors. */
  private rule(theta: Tensor, g: Tensor, prev: Tensor, stepSize: Tensor, o: RpropGroupOptions) {
    const { etas: [etaMinus, etaPlus], stepSizes: [min, max] } = o;
    const s = sign(g.mul(prev));
    // Masks from s ∈ {−1, 0, 1}, exact in floating point: [s > 0] = (|s| + s)/2, [s < 0] = (|s| − s)/2.
    // (NaN gradients give s = 0, as torch.sign does.)
    const grew = s.abs().add(s).mul(0.5);
    const flipped = s.abs().sub(s).mul(0.5);
    const kept = s.abs().neg().add(1);
    const factor = grew.mul(etaPlus).add(flipped.mul(etaMinus)).add(kept);
    const eta = clamp(stepSize.mul(factor), min, max);
    const gKept = g.mul(flipped.neg().add(1));
    return { theta: theta.sub(sign(gKept).mul(eta)), prev: gKept, stepSize: eta };
  }
}
