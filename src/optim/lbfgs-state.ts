/**
 * What LBFGS carries from one `step()` to the next, and saving and restoring it. LBFGS does
 * not keep per-parameter buffers like the other optimizers, so it cannot use the base's
 * state dict (state-dict.ts): its memory is packed, PyTorch's way, under parameter 0. Kept
 * apart from lbfgs.ts because this is format and validation, not the algorithm.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { keep } from '../tensor/lifetimes.ts';
import { toHost } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import type { OptimizerStateDict, ParamGroup } from './optimizer.ts';
import type { LBFGSGroupOptions } from './lbfgs.ts';
import type { Vec } from './lbfgs-vectors.ts';

/** What LBFGS carries from one `step()` to the next (PyTorch keeps the same). */
export interface LBFGSMemory {
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

/** Every vector a memory holds. */
export function vectorsOf(m: LBFGSMemory | null): Vec[] {
  return m ? [m.d, m.prevFlatGrad, ...m.oldSteps, ...m.oldDirs] : [];
}

/** What restoring needs from the LBFGS instance: its parameters, defaults and (protected) hooks. */
export interface LBFGSStateHost {
  params: Tensor[];
  defaults: LBFGSGroupOptions;
  validateOptions(options: LBFGSGroupOptions, where: string): void;
  bufferNames(): readonly string[];
}

/**
 * `LBFGS.stateDict()`: the group's options, and the memory under parameter 0 — counters,
 * t, H₀ and the ρ's as scalars, d and prevFlatGrad as [n], oldSteps and oldDirs as [k, n].
 */
export function saveLBFGSState(group: ParamGroup<LBFGSGroupOptions>, m: LBFGSMemory | null): OptimizerStateDict {
  const { params, ...options } = group;
  const paramGroups = [{ ...options, params: params.map((_, i) => i) }];
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

/**
 * `LBFGS.loadStateDict()`'s checks: the options and the memory a dict holds, with the memory's
 * vectors uploaded. Throws before anything of the optimizer changes; the caller commits.
 */
export function readLBFGSState(opt: LBFGSStateHost, sd: OptimizerStateDict): { options: Record<string, unknown>; memory: LBFGSMemory | null } {
  const where = 'LBFGS.loadStateDict';
  if (typeof sd !== 'object' || sd === null || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
    throw new TypeError(`${where}: expected { state, paramGroups } as returned by stateDict()`);
  }
  const params = opt.params;
  const saved = sd.paramGroups[0];
  if (sd.paramGroups.length !== 1 || !Array.isArray(saved?.params) || saved.params.length !== params.length) {
    throw new RangeError(`${where}: expected one parameter group of ${params.length} parameters`);
  }
  const options = {} as Record<string, unknown>;
  for (const key of Object.keys(opt.defaults)) {
    if (!(key in saved)) throw new RangeError(`${where}: the group lacks option '${key}' (is this another optimizer's state?)`);
    options[key] = saved[key];
  }
  for (const key of Object.keys(saved)) {
    if (key !== 'params' && !(key in opt.defaults)) throw new RangeError(`${where}: unknown option '${key}' (is this another optimizer's state?)`);
  }
  opt.validateOptions(options as unknown as LBFGSGroupOptions, where);
  const keys = Object.keys(sd.state);
  let memory: LBFGSMemory | null = null;
  if (keys.length > 0) {
    if (keys.length !== 1 || keys[0] !== '0') throw new RangeError(`${where}: LBFGS keeps its state under parameter 0, got keys ${keys.join(', ')}`);
    memory = unpack(opt, sd.state[0], where, options.historySize as number);
  }
  return { options, memory };
}

/** Checks and splits a saved state back into per-parameter tensors. */
function unpack(opt: LBFGSStateHost, saved: OptimizerStateDict['state'][number], where: string, historySize: number): LBFGSMemory {
  const params = opt.params;
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
  const unknown = Object.keys(b).filter((name) => !opt.bufferNames().includes(name));
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
