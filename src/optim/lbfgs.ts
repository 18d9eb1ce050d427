/**
 * L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989): a quasi-Newton method. It treats all
 * parameters as one vector x and steps along d ≈ −H⁻¹g, where the inverse Hessian H⁻¹ is
 * built implicitly from the last `historySize` pairs s = xₖ₊₁ − xₖ, y = gₖ₊₁ − gₖ.
 * It needs the loss and gradient at points of its choosing, so `step(closure)` takes a
 * closure that recomputes them; one `step` runs up to `maxIter` iterations.
 *
 *   g ← ∇f(x)                          (closure)
 *   stop if max|g| ≤ toleranceGrad
 *   repeat up to maxIter times:
 *     first iteration ever:  d ← −g,  H₀ ← 1
 *     otherwise:
 *       y ← g − g_prev,  s ← t·d
 *       if yᵀs > 1e-10:  remember (s, y, ρ = 1/yᵀs), forgetting the oldest past historySize;
 *                        H₀ ← yᵀs / yᵀy
 *       d ← −H·g by the two-loop recursion:
 *         q ← −g;  for i newest → oldest:  αᵢ ← ρᵢ·sᵢᵀq,  q ← q − αᵢ·yᵢ
 *         r ← H₀·q; for i oldest → newest:  βᵢ ← ρᵢ·yᵢᵀr,  r ← r + (αᵢ − βᵢ)·sᵢ
 *         d ← r
 *     t ← lr·min(1, 1/Σ|g|) on the first iteration ever, lr afterwards
 *     stop if gᵀd > −toleranceChange               (not a descent direction)
 *     lineSearchFn 'strong_wolfe': choose t by a line search (below); x ← x + t·d
 *     none:                        x ← x + t·d, and re-evaluate f and g
 *     stop if maxIter or maxEval is reached, max|g| ≤ toleranceGrad,
 *          max|t·d| ≤ toleranceChange, or |f − f_prev| < toleranceChange
 *
 * This is PyTorch's LBFGS (itself after Schmidt's minFunc): same defaults, same stopping
 * rules, same state carried between calls, one parameter group only. The line search is in
 * strong-wolfe.ts, the vector helpers in lbfgs-vectors.ts, and the memory with its state
 * dict in lbfgs-state.ts.
 *
 * Vectors are kept as one tensor per parameter, so every operation is a tensor op and runs
 * on any backend; only the dot products come back to the host, as numbers for the control flow.
 * There is no fused program: the work is dot products and sums of vectors, not one
 * elementwise update. The vectors LBFGS remembers outlive any `tidy` (they are kept, and
 * disposed when forgotten), and the parameters' storages from before a step are held until
 * the step succeeds, so a failed one can put them back on the gpu too.
 */
import { Tensor } from '../tensor/tensor.ts';
import { fmtShape } from '../tensor/errors.ts';
import { zeros } from '../tensor/creation.ts';
import { noGrad } from '../tensor/autograd.ts';
import { keep, tidy } from '../tensor/lifetimes.ts';
import { add, clone, mul } from '../ops/arithmetic.ts';
import { Optimizer, type Closure, type OptimizerStateDict, type ParamGroupInput, type Params } from './optimizer.ts';
import { checkInteger, checkNonNegative, checkThat } from './validate.ts';
import { strongWolfe, type Sample } from './strong-wolfe.ts';
import { VectorPool, axpy, dot, maxAbs, scale, sumAbs, twoLoop, type Vec } from './lbfgs-vectors.ts';
import { readLBFGSState, saveLBFGSState, vectorsOf, type LBFGSMemory } from './lbfgs-state.ts';

/** LBFGS's options, named and defaulted as in PyTorch (camelCase). */
export interface LBFGSOptions {
  /** Step length (scales the first step, and every step without a line search). Default 1. */
  lr?: number;
  /** Iterations per `step()`. Default 20. */
  maxIter?: number;
  /** Closure evaluations per `step()`. Default ⌊maxIter·5/4⌋. */
  maxEval?: number;
  /** Stop when every gradient component is at most this in size. Default 1e-7. */
  toleranceGrad?: number;
  /** Stop when the loss, or every coordinate, changes by less than this. Default 1e-9. */
  toleranceChange?: number;
  /** How many (s, y) pairs to remember. Default 100. */
  historySize?: number;
  /** 'strong_wolfe' for a line search, or null for fixed steps of lr. Default null. */
  lineSearchFn?: 'strong_wolfe' | null;
}

/** LBFGS's options with every default filled in. */
export type LBFGSGroupOptions = Required<LBFGSOptions>;

/** L-BFGS with an optional strong-Wolfe line search; `step(closure)` runs up to maxIter iterations. */
export class LBFGS extends Optimizer<LBFGSGroupOptions> {
  private memory: LBFGSMemory | null = null;

  constructor(params: Params<LBFGSGroupOptions>, options: LBFGSOptions = {}) {
    // Refused here rather than ignored: the base accepts `fused` from every optimizer.
    if (typeof options === 'object' && options !== null && 'fused' in options) {
      throw new RangeError("LBFGS: unknown option 'fused' (LBFGS has no fused update: its iterations are dot products and sums of vectors)");
    }
    const maxIter = options?.maxIter ?? 20;
    super('LBFGS', params, {
      lr: options?.lr ?? 1,
      maxIter,
      maxEval: options?.maxEval ?? (Number.isInteger(maxIter) ? Math.floor((maxIter * 5) / 4) : maxIter),
      toleranceGrad: options?.toleranceGrad ?? 1e-7,
      toleranceChange: options?.toleranceChange ?? 1e-9,
      historySize: options?.historySize ?? 100,
      lineSearchFn: options?.lineSearchFn ?? null,
    }, options);
  }

  protected override validateOptions(o: LBFGSGroupOptions, where: string): void {
    checkNonNegative(where, 'lr', o.lr);
    checkInteger(where, 'maxIter', o.maxIter, 1);
    checkInteger(where, 'maxEval', o.maxEval, 1);
    checkNonNegative(where, 'toleranceGrad', o.toleranceGrad);
    checkNonNegative(where, 'toleranceChange', o.toleranceChange);
    checkInteger(where, 'historySize', o.historySize, 1);
    checkThat(o.lineSearchFn === null || o.lineSearchFn === 'strong_wolfe', where,
      `lineSearchFn must be 'strong_wolfe' or null, got ${typeof o.lineSearchFn === 'string' ? `'${o.lineSearchFn}'` : String(o.lineSearchFn)}`);
  }

  /** LBFGS works on all parameters as one vector, so it takes one group only (as in PyTorch). */
  override addParamGroup(input: ParamGroupInput<LBFGSGroupOptions>): void {
    if (this.paramGroups.length > 0) throw new RangeError('LBFGS: supports a single parameter group only (its vectors span all parameters)');
    super.addParamGroup(input);
  }

  protected override bufferNames(): readonly string[] {
    return ['d', 'prevFlatGrad', 'oldSteps', 'oldDirs'];
  }

  protected override requiredBuffers(): readonly string[] {
    return [];
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /**
   * Runs up to maxIter L-BFGS iterations; `closure` must zero the gradients, compute the
   * loss, call backward() and return the loss. Returns the loss of the first evaluation.
   * If the closure throws, the parameters and the optimizer's memory are put back as they
   * were before the call.
   */
  override step<L extends Tensor | number>(closure?: Closure<L>): L | undefined {
    if (closure === undefined) {
      throw new TypeError('LBFGS.step: needs a closure that zeroes the gradients, computes the loss, calls backward() and returns the loss');
    }
    this.checkReadyToStep();
    // Tensors of our own on the parameters' storages: on the gpu a storage is freed with its
    // last tensor, and the first update would otherwise free the values a rollback needs.
    const before = this.holdStorages();
    const pool = new VectorPool();
    try {
      const { loss, memory } = this.iterate(closure, pool);
      const live = vectorsOf(memory);
      pool.release(live);
      const stillUsed = new Set(live.flat());
      for (const x of vectorsOf(this.memory).flat()) if (!stillUsed.has(x)) x.dispose();
      this.memory = memory;
      return loss;
    } catch (err) {
      this.params.forEach((p, i) => { p.storage = before[i].storage; });
      pool.release([]);
      throw err;
    } finally {
      for (const x of before) x.dispose();
    }
  }

  /** The algorithm in the header; returns the first loss and the memory to keep (nothing is committed here). */
  private iterate<L extends Tensor | number>(closure: Closure<L>, pool: VectorPool): { loss: L; memory: LBFGSMemory | null } {
    const group = this.paramGroups[0];
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = group;
    const old = this.memory;

    const evaluate = (): { raw: L; f: number; g: Vec } => {
      const raw = this.callClosure(closure)!;
      const f = this.lossValue(raw);
      this.checkReadyToStep();
      // Copies: the next closure's zeroGrad disposes the gradients LBFGS still has to compare with.
      const g = pool.own(noGrad(() => this.params.map((p) => (p.grad ? clone(p.grad) : zeros(p.shape)))));
      return { raw, f, g };
    };

    const first = evaluate();
    let loss = first.f;
    let flatGrad = first.g;
    let funcEvals = (old?.funcEvals ?? 0) + 1;
    let currentEvals = 1;
    if (maxAbs(flatGrad) <= toleranceGrad) {
      return { loss: first.raw, memory: old ? { ...old, funcEvals } : null };
    }

    let nIter = old?.nIter ?? 0;
    let d = old?.d ?? [];
    let t = old?.t ?? 0;
    let oldDirs = old ? [...old.oldDirs] : [];
    let oldSteps = old ? [...old.oldSteps] : [];
    let ro = old ? [...old.ro] : [];
    let hDiag = old?.hDiag ?? 1;
    let prevFlatGrad: Vec | null = old?.prevFlatGrad ?? null;
    let prevLoss = old?.prevLoss ?? NaN;

    // No noGrad around this loop: the closure needs the graph. The vector arithmetic is on
    // tensors that do not require gradients, so it records nothing anyway.
    for (let n = 1; n <= maxIter; n++) {
      nIter++;
      if (nIter === 1) {
        d = pool.own(scale(flatGrad, -1));
        oldDirs = [];
        oldSteps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = pool.own(axpy(flatGrad, -1, prevFlatGrad!));
        const s = pool.own(scale(d, t));
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldSteps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldSteps.push(s);
          ro.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        d = pool.own(twoLoop(flatGrad, oldSteps, oldDirs, ro, hDiag));
      }
      prevFlatGrad = flatGrad;
      prevLoss = loss;

      t = nIter === 1 ? Math.min(1, 1 / sumAbs(flatGrad)) * lr : lr;
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) break;

      let evals = 0;
      let optimal = false;
      if (lineSearchFn === 'strong_wolfe') {
        const x0 = this.holdStorages();
        try {
          const at = (step: number): Sample<Vec> => {
            this.moveFrom(x0, step, d);
            const e = evaluate();
            this.params.forEach((p, i) => { p.storage = x0[i].storage; });
            return { t: step, f: e.f, g: e.g, gtd: dot(e.g, d) };
          };
          const search = strongWolfe(at, t, maxAbs(d), { t: 0, f: loss, g: flatGrad, gtd }, toleranceChange);
          ({ t, f: loss, g: flatGrad } = search.best);
          this.moveFrom(x0, t, d);
          evals = search.evals;
        } finally {
          for (const x of x0) x.dispose();
        }
        optimal = maxAbs(flatGrad) <= toleranceGrad;
      } else {
        this.moveFrom(this.params, t, d);
        if (n !== maxIter) {
          // The new loss and gradient are only needed if another iteration follows.
          ({ f: loss, g: flatGrad } = evaluate());
          evals = 1;
          optimal = maxAbs(flatGrad) <= toleranceGrad;
        }
      }
      currentEvals += evals;
      funcEvals += evals;
      // Vectors this iteration made and no longer needs (rejected line-search gradients,
      // the previous direction, history entries pushed out) are freed now, not at the end.
      pool.release([d, flatGrad, prevFlatGrad, ...oldSteps, ...oldDirs]);

      if (n === maxIter || currentEvals >= maxEval || optimal) break;
      if (maxAbs(d) * Math.abs(t) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    return { loss: first.raw, memory: { funcEvals, nIter, d, t, oldSteps, oldDirs, ro, hDiag, prevFlatGrad: prevFlatGrad!, prevLoss } };
  }

  /** A kept tensor on each parameter's current storage, which keeps that storage alive. */
  private holdStorages(): Tensor[] {
    return this.params.map((p) => keep(p.detach()));
  }

  /** Sets the parameters to x + t·d. */
  private moveFrom(x: Tensor[], t: number, d: Vec): void {
    noGrad(() => tidy(() => {
      // The sum is freed with the tidy, but its storage lives on in the parameter.
      this.params.forEach((p, i) => { p.storage = add(x[i], mul(d[i], t)).storage; });
    }));
  }

  private lossValue(raw: unknown): number {
    if (typeof raw === 'number') return raw;
    if (raw instanceof Tensor && raw.size === 1) return raw.item();
    const got = raw instanceof Tensor ? `a tensor of shape ${fmtShape(raw.shape)}` : typeof raw;
    throw new TypeError(`LBFGS.step: the closure must return the loss as a number or a one-element tensor, got ${got}`);
  }

  /**
   * Like PyTorch, LBFGS keeps its memory under the first parameter: the iteration counters,
   * step length, H₀ and the ρ's as scalars, the vectors flattened over all parameters
   * (d and prevFlatGrad [n], the history oldSteps and oldDirs [k, n]).
   */
  override stateDict(): OptimizerStateDict {
    return saveLBFGSState(this.paramGroups[0], this.memory);
  }

  /** Restores `stateDict()`; everything is checked before anything changes. */
  override loadStateDict(sd: OptimizerStateDict): void {
    const { options, memory } = readLBFGSState({
      params: this.params,
      defaults: this.defaults,
      validateOptions: (options, where) => this.validateOptions(options, where),
      bufferNames: () => this.bufferNames(),
    }, sd);
    Object.assign(this.paramGroups[0], options);
    for (const x of vectorsOf(this.memory).flat()) x.dispose();
    this.memory = memory;
  }
}
