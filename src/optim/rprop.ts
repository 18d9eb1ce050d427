/**
 * Rprop (Riedmiller & Braun, 1993): ignore the gradient's size, keep only its sign, and give
 * every coordinate its own step size, grown while the sign holds and cut when it flips.
 *
 *   s ← g · g_prev                              (g_prev: prev, 0 at the start)
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
 * A NaN gradient makes its coordinate NaN (tsgrad's sign, like NumPy's, keeps NaN);
 * torch.sign gives 0 there, so PyTorch's Rprop would leave that coordinate where it was.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { mul, sub } from '../ops/arithmetic.ts';
import { clamp, sign } from '../ops/math.ts';
import { gt, lt, where } from '../ops/compare.ts';
import { Optimizer, type OptimizerOptions, type ParamGroup, type ParamState, type Params } from './optimizer.ts';
import { checkNonNegative, checkThat } from './validate.ts';

/** Rprop's options, named and defaulted as in PyTorch (camelCase). */
export interface RpropOptions extends OptimizerOptions {
  /** The initial step size of every coordinate. Default 0.01. */
  lr?: number;
  /** (η₋, η₊): step-size factors after a sign change and after a repeated sign, 0 < η₋ < 1 < η₊. Default [0.5, 1.2]. */
  etas?: [number, number];
  /** (ηmin, ηmax): bounds on every step size, 0 ≤ ηmin ≤ ηmax. Default [1e-6, 50]. */
  stepSizes?: [number, number];
}

/** Rprop's options with every default filled in. */
export type RpropGroupOptions = Required<Omit<RpropOptions, keyof OptimizerOptions>>;

/** Rprop: sign-based steps with per-coordinate adaptive step sizes. */
export class Rprop extends Optimizer<RpropGroupOptions> {
  constructor(params: Params<RpropGroupOptions>, options: RpropOptions = {}) {
    super('Rprop', params, {
      lr: options?.lr ?? 1e-2,
      // Copied when they are arrays; anything else reaches validateOptions, which names it.
      etas: Array.isArray(options?.etas) ? [...options.etas] as [number, number] : options?.etas ?? [0.5, 1.2],
      stepSizes: Array.isArray(options?.stepSizes) ? [...options.stepSizes] as [number, number] : options?.stepSizes ?? [1e-6, 50],
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

  protected override updateParam(p: Tensor, g: Tensor, state: ParamState, group: ParamGroup<RpropGroupOptions>): void {
    const { etas: [etaMinus, etaPlus], stepSizes: [etaMin, etaMax] } = group;
    const prev = this.buffer(state, 'prev', p);
    const eta = this.buffer(state, 'stepSize', p, group.lr);
    if (this.fused) {
      this.applyProgram(RPROP, { p, g, prev, eta }, { etaMinus, etaPlus, etaMin, etaMax });
      return;
    }
    const s = mul(g, prev);
    const factor = where(gt(s, 0), etaPlus, where(lt(s, 0), etaMinus, 1));
    const etaNew = clamp(mul(eta, factor), etaMin, etaMax);
    const gKept = where(lt(s, 0), 0, g);
    this.assign(p, sub(p, mul(sign(gKept), etaNew)));
    this.assign(prev, gKept);
    this.assign(eta, etaNew);
  }
}

const RPROP = `
  let s = g * prev
  eta = min(max(eta * (s > 0 ? etaPlus : s < 0 ? etaMinus : 1), etaMin), etaMax)
  let gKept = s < 0 ? 0 : g
  p = p - sign(gKept) * eta
  prev = gKept`;
