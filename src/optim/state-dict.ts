/**
 * Saving and restoring an Optimizer's state: the state-dict format, `stateDict()`'s copy,
 * and `loadStateDict()`'s checks and commit. Kept apart from optimizer.ts because loading is
 * mostly validation (every group, index, buffer and scalar of an untrusted dict is checked
 * before anything changes) and has nothing to do with how a step updates parameters. The
 * Optimizer's methods stay as thin wrappers over these functions.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { keep } from '../tensor/lifetimes.ts';
import { backend } from '../backend/registry.ts';
import { copyValue, describe } from './validate.ts';
import type { BaseOptions, ParamGroup, ParamState } from './optimizer-types.ts';

/** One parameter's saved state: its step count and copies of its buffers. */
export interface SavedParamState {
  /** Steps this parameter had taken. */
  step: number;
  /** Copies of its buffers, shaped like the parameter. */
  buffers: Record<string, Tensor>;
  /** Its per-parameter numbers; present only for optimizers that keep some (NAdam). */
  scalars?: Record<string, number>;
}

/**
 * Buffers of the five classic optimizers that are sums or averages of squares, so a negative
 * value in a loaded state can only be corruption (and would turn into NaN weights one step
 * later). Newer optimizers declare their own in `nonNegativeBuffers()`.
 */
export const SQUARE_BUFFERS: readonly string[] = ['sum', 'squareAvg', 'expAvgSq', 'maxExpAvgSq'];

/**
 * An optimizer's state as plain data, like PyTorch's: parameters are referred to by their
 * index in group order (0, 1, … across all groups), so the dict can be loaded into a new
 * optimizer built over a new model with the same architecture.
 */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by parameter index; parameters that never stepped are absent. */
  state: Record<number, SavedParamState>;
  /** Each group's options (as plain values) and the indices of its parameters. */
  paramGroups: (Record<string, unknown> & {
    /** Indices of the group's parameters, in the numbering `state` uses. */
    params: number[];
  })[];
}

/**
 * What loading needs from an optimizer: its groups, its state, and its (protected) hooks,
 * passed as functions so that they are called in the same order as when this was a method.
 */
export interface StateDictHost<O extends BaseOptions> {
  name: string;
  defaults: O;
  paramGroups: ParamGroup<O>[];
  state: Map<Tensor, ParamState>;
  validateOptions(options: O, where: string): void;
  bufferNames(): readonly string[];
  requiredBuffers(group: O): readonly string[];
  nonNegativeBuffers(): readonly string[];
  scalarRanges(): Readonly<Record<string, readonly [number, number]>>;
}

function hostCopy(t: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(Float32Array.from(t.data), shape);
}

/** `Optimizer.stateDict()`: step counts, copies of the buffers, and every group's options. */
export function saveOptimizerState<O extends BaseOptions>(groups: readonly ParamGroup<O>[], states: ReadonlyMap<Tensor, ParamState>): OptimizerStateDict {
  const state: Record<number, SavedParamState> = {};
  let index = 0;
  const paramGroups = groups.map((group) => {
    const { params, ...options } = group;
    const saved: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) saved[k] = copyValue(v);
    const ids = params.map((p) => {
      const s = states.get(p);
      if (s) {
        const buffers: Record<string, Tensor> = {};
        for (const [name, b] of Object.entries(s.buffers)) buffers[name] = keep(hostCopy(b, p.shape));
        state[index] = Object.keys(s.scalars).length > 0 ? { step: s.step, buffers, scalars: { ...s.scalars } } : { step: s.step, buffers };
      }
      return index++;
    });
    return { ...saved, params: ids };
  });
  return { state, paramGroups };
}

/**
 * `Optimizer.loadStateDict()`: checks the whole dict against the optimizer, then replaces
 * its groups' options and its state. A dict that does not fit changes nothing.
 */
export function loadOptimizerState<O extends BaseOptions>(opt: StateDictHost<O>, sd: OptimizerStateDict): void {
  const where = `${opt.name}.loadStateDict`;
  if (typeof sd !== 'object' || sd === null || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
    throw new TypeError(`${where}: expected { state, paramGroups } as returned by stateDict()`);
  }
  if (sd.paramGroups.length !== opt.paramGroups.length) {
    throw new RangeError(`${where}: the dict has ${sd.paramGroups.length} parameter groups, this optimizer has ${opt.paramGroups.length}`);
  }
  const byIndex = new Map<number, Tensor>();
  const newOptions = opt.paramGroups.map((group, g) => {
    const saved = sd.paramGroups[g];
    const ids = saved?.params;
    if (!Array.isArray(ids) || ids.length !== group.params.length) {
      throw new RangeError(`${where}: group ${g} holds ${Array.isArray(ids) ? ids.length : 'no'} parameters in the dict, ${group.params.length} here`);
    }
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || byIndex.has(id)) throw new RangeError(`${where}: group ${g} has a bad or repeated parameter index ${id}`);
      byIndex.set(id, group.params[i]);
    });
    const options = {} as Record<string, unknown>;
    for (const key of Object.keys(opt.defaults)) {
      if (!(key in saved)) throw new RangeError(`${where}: group ${g} lacks option '${key}' (is this another optimizer's state?)`);
      options[key] = copyValue(saved[key]);
    }
    for (const key of Object.keys(saved)) {
      if (key !== 'params' && !(key in opt.defaults)) throw new RangeError(`${where}: group ${g} has unknown option '${key}' (is this another optimizer's state?)`);
    }
    opt.validateOptions(options as unknown as O, `${where} (group ${g})`);
    return options as unknown as O;
  });
  const groupOf = new Map<Tensor, O>();
  opt.paramGroups.forEach((group, g) => group.params.forEach((p) => groupOf.set(p, newOptions[g])));
  const known = opt.bufferNames();
  const nonNegative = opt.nonNegativeBuffers();
  const scalarRanges = opt.scalarRanges();
  // Checked values stay on the host until everything has passed, so a refused dict uploads nothing.
  const newState = new Map<Tensor, { step: number; buffers: Record<string, Float32Array>; scalars: Record<string, number> }>();
  for (const [key, saved] of Object.entries(sd.state)) {
    const p = byIndex.get(Number(key));
    if (!p) throw new RangeError(`${where}: state for parameter ${key}, which no group lists`);
    if (!Number.isInteger(saved?.step) || saved.step < 0) {
      throw new RangeError(`${where}: parameter ${key} has step ${saved?.step}; expected an integer ≥ 0`);
    }
    const buffers: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(saved.buffers ?? {})) {
      if (!known.includes(name)) throw new RangeError(`${where}: parameter ${key} has unknown buffer '${name}' (${opt.name} keeps ${known.join(', ')})`);
      if (!(t instanceof Tensor) || t.size !== p.size) {
        const got = t instanceof Tensor ? `shape ${fmtShape(t.shape)}` : typeof t;
        throw new ShapeError(`${where}: buffer '${name}' of parameter ${key} must have ${p.size} values like the parameter ${fmtShape(p.shape)}, got ${got}`);
      }
      const values = Float32Array.from(t.data);
      checkBufferValues(values, nonNegative.includes(name), `${where}: buffer '${name}' of parameter ${key}`);
      buffers[name] = values;
    }
    for (const name of opt.requiredBuffers(groupOf.get(p)!)) {
      if (saved.step > 0 && !(name in buffers)) throw new RangeError(`${where}: parameter ${key} lacks buffer '${name}'`);
    }
    const scalars: Record<string, number> = {};
    const savedScalars: unknown = saved.scalars ?? {};
    if (typeof savedScalars !== 'object' || savedScalars === null) throw new TypeError(`${where}: parameter ${key} has scalars that are ${describe(savedScalars)}; expected an object of numbers`);
    for (const [name, v] of Object.entries(savedScalars)) {
      const range = scalarRanges[name];
      if (!range) throw new RangeError(`${where}: parameter ${key} has unknown scalar '${name}'${Object.keys(scalarRanges).length ? ` (${opt.name} keeps ${Object.keys(scalarRanges).join(', ')})` : ` (${opt.name} keeps none)`}`);
      if (typeof v !== 'number' || !(v >= range[0] && v <= range[1])) {
        throw new RangeError(`${where}: scalar '${name}' of parameter ${key} must be a number in [${range[0]}, ${range[1]}], got ${typeof v === 'number' ? v : describe(v)}`);
      }
      scalars[name] = v;
    }
    for (const name of Object.keys(scalarRanges)) {
      if (saved.step > 0 && !(name in scalars)) throw new RangeError(`${where}: parameter ${key} lacks scalar '${name}'`);
    }
    newState.set(p, { step: saved.step, buffers, scalars });
  }
  // Everything checked: now commit.
  opt.paramGroups.forEach((group, g) => Object.assign(group, newOptions[g]));
  for (const s of opt.state.values()) for (const b of Object.values(s.buffers)) b.dispose();
  opt.state.clear();
  for (const [p, s] of newState) {
    const buffers: Record<string, Tensor> = {};
    for (const [name, values] of Object.entries(s.buffers)) buffers[name] = keep(new Tensor(backend().upload(values), p.shape));
    opt.state.set(p, { step: s.step, buffers, scalars: s.scalars });
  }
}

/**
 * Refuses NaN and ±Infinity in a loaded buffer, and negative values in one that holds squares
 * or step sizes: a trained state never contains them, and they would reach the weights on
 * the next step.
 */
function checkBufferValues(values: Float32Array, nonNegative: boolean, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new RangeError(`${what} holds ${v} at index ${i}; a saved state must be finite`);
    if (nonNegative && v < 0) throw new RangeError(`${what} holds ${v} at index ${i}; it can never be negative`);
  }
}
