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
 * strong-wolfe.ts.
 *
 * Vectors are kept as one tensor per parameter, so every operation is a tensor op and runs
 * on any backend; only the dot products come back to the host, as numbers for the control flow.
 * There is no fused program: the work is dot products and sums of vectors, not one
 * elementwise update. The vectors LBFGS remembers outlive any `tidy` (they are kept, and
 * disposed when forgotten), and the parameters' storages from before a step are held until
 * the step succeeds, so a failed one can put them back on the gpu too.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { zeros } from '../tensor/creation.ts';
import { noGrad } from '../tensor/autograd.ts';
import { keep, tidy } from '../tensor/lifetimes.ts';
import { toHost } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import { add, clone, mul } from '../ops/arithmetic.ts';
import { abs } from '../ops/math.ts';
import { max, sum } from '../ops/reduce.ts';
import { Optimizer, type Closure, type OptimizerStateDict, type ParamGroupInput, type Params } from './optimizer.ts';
import { checkInteger, checkNonNegative, checkThat } from './validate.ts';
import { strongWolfe, type Sample } from './strong-wolfe.ts';

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

/** A vector over all parameters: one tensor per parameter, in group order. */
type Vec = Tensor[];

/** What LBFGS carries from one `step()` to the next (PyTorch keeps the same). */
interface LBFGSMemory {
  funcEvals: number;
  nIter: number;
  /** The last search direction and step length. */
  d: Vec;
  t: number;
  /** The remembered pairs, oldest first: s (steps), y (gradient changes) and ρ = 1/yᵀs. */
  oldSteps: Vec[];
  oldDirs: Vec[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Vec;
  prevLoss: number;
}

// Each helper frees its temporaries at once (tidy), which matters on the gpu, where a step
// of 20 iterations would otherwise leave hundreds of textures to the garbage collector.
const dot = (a: Vec, b: Vec): number => tidy(() => a.reduce((s, x, i) => s + sum(mul(x, b[i])).item(), 0));
const maxAbs = (a: Vec): number => tidy(() => a.reduce((m, x) => Math.max(m, x.size ? max(abs(x)).item() : 0), 0));
const sumAbs = (a: Vec): number => tidy(() => a.reduce((s, x) => s + sum(abs(x)).item(), 0));
/** a + α·b */
const axpy = (a: Vec, alpha: number, b: Vec): Vec => tidy(() => a.map((x, i) => add(x, mul(b[i], alpha))));
const scale = (a: Vec, alpha: number): Vec => tidy(() => a.map((x) => mul(x, alpha)));

/**
 * The vectors made during one `step()`: each is kept (so no `tidy` of the caller's frees it
 * while LBFGS still needs it) and recorded, so the step can free the ones it stops using —
 * and, if it fails, all of them.
 */
class VectorPool {
  private readonly made = new Set<Tensor>();

  own(v: Vec): Vec {
    for (const x of v) this.made.add(keep(x));
    return v;
  }

  /** Disposes every vector made here that is not among `live`. */
  release(live: Iterable<Vec>): void {
    const alive = new Set<Tensor>();
    for (const v of live) for (const x of v) alive.add(x);
    for (const x of this.made) {
      if (alive.has(x)) continue;
      x.dispose();
      this.made.delete(x);
    }
  }
}

/** Every vector a memory holds. */
function vectorsOf(m: LBFGSMemory | null): Vec[] {
  return m ? [m.d, m.prevFlatGrad, ...m.oldSteps, ...m.oldDirs] : [];
}

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
        d = pool.own(this.twoLoop(flatGrad, oldSteps, oldDirs, ro, hDiag));
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

  /** d = −H·g by the two-loop recursion over the remembered pairs. */
  private twoLoop(g: Vec, steps: Vec[], dirs: Vec[], ro: number[], hDiag: number): Vec {
    return tidy(() => {
      const alpha = new Array<number>(steps.length);
      let q = scale(g, -1);
      for (let i = steps.length - 1; i >= 0; i--) {
        alpha[i] = dot(steps[i], q) * ro[i];
        q = axpy(q, -alpha[i], dirs[i]);
      }
      let r = scale(q, hDiag);
      for (let i = 0; i < steps.length; i++) {
        const beta = dot(dirs[i], r) * ro[i];
        r = axpy(r, alpha[i] - beta, steps[i]);
      }
      return r;
    });
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
    const { params, ...options } = this.paramGroups[0];
    const paramGroups = [{ ...options, params: params.map((_, i) => i) }];
    const m = this.memory;
    if (!m) return { state: {}, paramGroups };
    const n = params.reduce((s, p) => s + p.size, 0);
    const flat = (v: Vec): Float32Array => {
      const out = new Float32Array(n);
      let at = 0;
      v.forEach((x) => { out.set(toHost(x.storage), at); at += x.size; });
      return out;
    };
    const stack = (vs: Vec[]): Tensor => {
      const out = new Float32Array(vs.length * n);
      vs.forEach((v, k) => out.set(flat(v), k * n));
      return new Tensor(out, [vs.length, n]);
    };
    return {
      state: {
        0: {
          step: m.nIter,
          buffers: { d: new Tensor(flat(m.d), [n]), prevFlatGrad: new Tensor(flat(m.prevFlatGrad), [n]), oldSteps: stack(m.oldSteps), oldDirs: stack(m.oldDirs) },
          scalars: { funcEvals: m.funcEvals, t: m.t, hDiag: m.hDiag, prevLoss: m.prevLoss, ...Object.fromEntries(m.ro.map((r, i) => [`ro.${i}`, r])) },
        },
      },
      paramGroups,
    };
  }

  /** Restores `stateDict()`; everything is checked before anything changes. */
  override loadStateDict(sd: OptimizerStateDict): void {
    const where = 'LBFGS.loadStateDict';
    if (typeof sd !== 'object' || sd === null || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
      throw new TypeError(`${where}: expected { state, paramGroups } as returned by stateDict()`);
    }
    const params = this.params;
    const saved = sd.paramGroups[0];
    if (sd.paramGroups.length !== 1 || !Array.isArray(saved?.params) || saved.params.length !== params.length) {
      throw new RangeError(`${where}: expected one parameter group of ${params.length} parameters`);
    }
    const options = {} as Record<string, unknown>;
    for (const key of Object.keys(this.defaults)) {
      if (!(key in saved)) throw new RangeError(`${where}: the group lacks option '${key}' (is this another optimizer's state?)`);
      options[key] = saved[key];
    }
    for (const key of Object.keys(saved)) {
      if (key !== 'params' && !(key in this.defaults)) throw new RangeError(`${where}: unknown option '${key}' (is this another optimizer's state?)`);
    }
    this.validateOptions(options as unknown as LBFGSGroupOptions, where);
    const keys = Object.keys(sd.state);
    let memory: LBFGSMemory | null = null;
    if (keys.length > 0) {
      if (keys.length !== 1 || keys[0] !== '0') throw new RangeError(`${where}: LBFGS keeps its state under parameter 0, got keys ${keys.join(', ')}`);
      memory = this.unpack(sd.state[0], where, options.historySize as number);
    }
    Object.assign(this.paramGroups[0], options);
    for (const x of vectorsOf(this.memory).flat()) x.dispose();
    this.memory = memory;
  }

  /** Checks and splits a saved state back into per-parameter tensors. */
  private unpack(saved: OptimizerStateDict['state'][number], where: string, historySize: number): LBFGSMemory {
    const params = this.params;
    const n = params.reduce((s, p) => s + p.size, 0);
    const nIter = saved?.step;
    if (!Number.isInteger(nIter) || nIter < 1) throw new RangeError(`${where}: step (iterations so far) must be an integer ≥ 1, got ${nIter}`);
    const b = saved.buffers ?? {};
    const sc = saved.scalars ?? {};
    const finiteData = (name: string, t: unknown, shape: (k: number) => boolean, want: string): Float32Array => {
      if (!(t instanceof Tensor) || !shape(t.shape.length === 2 ? t.shape[0] : -1)) {
        throw new ShapeError(`${where}: buffer '${name}' must be ${want}, got ${t instanceof Tensor ? fmtShape(t.shape) : typeof t}`);
      }
      const values = new Float32Array(toHost(t.storage));
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new RangeError(`${where}: buffer '${name}' holds ${values[bad]} at index ${bad}; a saved state must be finite`);
      return values;
    };
    const isVec = (t: unknown) => t instanceof Tensor && t.shape.length === 1 && t.shape[0] === n;
    const d = finiteData('d', b.d, () => isVec(b.d), `a vector of ${n} values`);
    const prevFlatGrad = finiteData('prevFlatGrad', b.prevFlatGrad, () => isVec(b.prevFlatGrad), `a vector of ${n} values`);
    const k = b.oldSteps instanceof Tensor && b.oldSteps.shape.length === 2 ? b.oldSteps.shape[0] : -1;
    const isHistory = (t: unknown) => t instanceof Tensor && t.shape.length === 2 && t.shape[0] === k && t.shape[1] === n && k <= historySize;
    const steps = finiteData('oldSteps', b.oldSteps, () => isHistory(b.oldSteps), `[k, ${n}] with k ≤ historySize ${historySize}`);
    const dirs = finiteData('oldDirs', b.oldDirs, () => isHistory(b.oldDirs), `[k, ${n}] like oldSteps`);
    const number = (name: string, ok: (v: number) => boolean, want: string): number => {
      const v = sc[name];
      if (typeof v !== 'number' || !ok(v)) throw new RangeError(`${where}: scalar '${name}' must be ${want}, got ${v}`);
      return v;
    };
    const funcEvals = number('funcEvals', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    const t = number('t', Number.isFinite, 'finite');
    const hDiag = number('hDiag', (v) => Number.isFinite(v) && v > 0, 'finite and > 0');
    const prevLoss = number('prevLoss', (v) => !Number.isNaN(v), 'a number');
    const ro = Array.from({ length: k }, (_, i) => number(`ro.${i}`, (v) => Number.isFinite(v) && v > 0, 'finite and > 0'));
    const expected = new Set(['funcEvals', 't', 'hDiag', 'prevLoss', ...ro.map((_, i) => `ro.${i}`)]);
    const extra = Object.keys(sc).filter((key) => !expected.has(key));
    if (extra.length) throw new RangeError(`${where}: unknown scalars ${extra.join(', ')} (with ${k} remembered pairs)`);
    const unknown = Object.keys(b).filter((name) => !this.bufferNames().includes(name));
    if (unknown.length) throw new RangeError(`${where}: unknown buffers ${unknown.join(', ')}`);

    const split = (flat: Float32Array, offset: number): Vec => {
      let at = offset;
      return params.map((p) => {
        const piece = flat.slice(at, at + p.size);
        at += p.size;
        return keep(new Tensor(backend().upload(piece), p.shape));
      });
    };
    return {
      funcEvals, nIter, t, hDiag, prevLoss, ro,
      d: split(d, 0),
      prevFlatGrad: split(prevFlatGrad, 0),
      oldSteps: Array.from({ length: k }, (_, i) => split(steps, i * n)),
      oldDirs: Array.from({ length: k }, (_, i) => split(dirs, i * n)),
    };
  }
}
