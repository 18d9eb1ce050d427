/**
 * The Optimizer base: what every optimizer shares — parameter groups with options of their
 * own, per-parameter state, `zeroGrad()`, `step()`, and saving/restoring that state.
 *
 * A subclass supplies the math for one parameter (`updateParam`), the option checks, and the
 * names of the state buffers it keeps. Its update is written twice, side by side: as an
 * elementwise program that every backend compiles into one fused pass (`applyProgram`), and
 * as plain tensor ops, the reference the fused form is tested against (`fused: false`).
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { noGrad } from '../tensor/autograd.ts';
import { keep, tidy } from '../tensor/lifetimes.ts';
import { backend } from '../backend/registry.ts';
import { pointwiseAll } from '../ops/pointwise.ts';

/** Options every optimizer has; schedulers rely on `lr` alone. */
export interface BaseOptions {
  /** Learning rate. */
  lr: number;
}

/** A set of parameters optimized with its own options (a resolved copy lives in `paramGroups`). */
export type ParamGroup<O> = O & {
  /** The parameters this group's options apply to. */
  params: Tensor[];
};

/** A parameter group as the user writes it: options left out fall back to the optimizer's. */
export type ParamGroupInput<O> = Partial<O> & {
  /** The group's parameters: one tensor or any iterable of them. */
  params: Iterable<Tensor> | Tensor;
};

/** What an optimizer accepts: tensors (one group), or groups with their own options. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** An optimizer's memory for one parameter: how many steps it took and its buffers. */
export interface ParamState {
  /** Steps this parameter has taken (the t of bias corrections and lrDecay). */
  step: number;
  /** The optimizer's per-element memory, e.g. Adam's expAvg and expAvgSq, shaped like the parameter. */
  buffers: Record<string, Tensor>;
}

/** One parameter's saved state: its step count and copies of its buffers. */
export interface SavedParamState {
  /** Steps this parameter had taken. */
  step: number;
  /** Copies of its buffers, shaped like the parameter. */
  buffers: Record<string, Tensor>;
}

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

function copyValue(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

function hostCopy(t: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(Float32Array.from(t.data), shape);
}

/** Options every optimizer takes besides its hyperparameters. */
export interface OptimizerOptions {
  /**
   * Update with the fused elementwise program (default) or with the reference written as
   * plain tensor ops — slower, the same to float32 rounding, and there to be read and tested
   * against (PyTorch's `fused`/`foreach` flags play the same role).
   */
  fused?: boolean;
}

/** Base class of SGD, Momentum, AdaGrad, RMSprop, Adam and AdamW. */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The parameter groups; change `group.lr` (or any option) between steps to retune. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** The optimizer's memory, per parameter. */
  protected readonly state = new Map<Tensor, ParamState>();
  /** The optimizer's name, for error messages. */
  protected readonly name: string;
  /** Options a group gets when it does not set them. */
  protected readonly defaults: O;
  /** Whether updates run as one fused program per parameter (see OptimizerOptions). */
  readonly fused: boolean;

  protected constructor(name: string, params: Params<O>, defaults: O, options: OptimizerOptions = {}) {
    this.name = name;
    this.fused = options.fused ?? true;
    if (typeof this.fused !== 'boolean') throw new RangeError(`${name}: fused must be true or false, got ${String(options.fused)}`);
    this.validateOptions(defaults, name);
    this.defaults = defaults;
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    if (items.every((x) => x instanceof Tensor)) {
      this.addParamGroup({ params: items as Tensor[] } as unknown as ParamGroupInput<O>);
    } else if (items.some((x) => x instanceof Tensor)) {
      throw new TypeError(`${name}: params mixes tensors and parameter groups; pass one or the other`);
    } else {
      for (const g of items) this.addParamGroup(g as ParamGroupInput<O>);
    }
  }

  /** Checks one set of options, throwing a RangeError that names the bad option. */
  protected abstract validateOptions(options: O, where: string): void;

  /** Updates one parameter from its gradient (already checked to match its shape). */
  protected abstract updateParam(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<O>): void;

  /** Every buffer name this optimizer may keep. */
  protected abstract bufferNames(): readonly string[];

  /** Buffers whose absence could not be treated as a fresh start under these options. */
  protected abstract requiredBuffers(group: O): readonly string[];

  /** Adds a group of parameters with options of its own (the rest come from the defaults). */
  addParamGroup(input: ParamGroupInput<O>): void {
    if (typeof input !== 'object' || input === null || !('params' in input)) {
      throw new TypeError(`${this.name}: a parameter group must be an object with a 'params' field`);
    }
    const where = `${this.name} (group ${this.paramGroups.length})`;
    const { params: rawParams, ...overrides } = input;
    const params = rawParams instanceof Tensor ? [rawParams] : [...rawParams];
    if (params.length === 0) throw new RangeError(`${where}: got an empty parameter list`);
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: params must be tensors, got ${typeof p}`);
      if (!p.isLeaf) throw new TypeError(`${where}: can only optimize leaf tensors, got the output of '${p.gradFn!.op}'`);
      if (seen.has(p)) throw new RangeError(`${where}: a parameter appears more than once (each may be in one group only)`);
      seen.add(p);
    }
    for (const key of Object.keys(overrides)) {
      if (!(key in this.defaults)) throw new RangeError(`${where}: unknown option '${key}'`);
    }
    // Copies, so that groups never share an array (betas) with each other or the defaults.
    const options = {} as Record<string, unknown>;
    for (const [key, value] of Object.entries(this.defaults)) options[key] = copyValue(value);
    for (const [key, value] of Object.entries(overrides)) {
      if (value !== undefined) options[key] = copyValue(value);
    }
    this.validateOptions(options as O, where);
    this.paramGroups.push({ ...(options as O), params });
  }

  /**
   * Forgets every parameter's gradient (sets `.grad` to null, like PyTorch's set_to_none). A
   * parameter owns its gradient, so the old one is disposed: clone it first to keep it.
   */
  zeroGrad(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        p.grad?.dispose();
        p.grad = null;
      }
    }
  }

  /**
   * Updates every parameter that has a gradient. All gradients are checked first, so a bad
   * one throws before any parameter or state has changed.
   */
  step(): void {
    this.paramGroups.forEach((group, g) => {
      group.params.forEach((p, i) => {
        const grad = p.grad;
        if (grad === null) return;
        if (grad.size !== p.size || grad.shape.length !== p.shape.length || grad.shape.some((d, k) => d !== p.shape[k])) {
          throw new ShapeError(
            `${this.name}.step: gradient of shape ${fmtShape(grad.shape)} does not match parameter ${i} of group ${g} with shape ${fmtShape(p.shape)}`,
          );
        }
      });
    });
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        let state = this.state.get(p);
        if (!state) {
          state = { step: 0, buffers: {} };
          this.state.set(p, state);
        }
        state.step += 1;
        const grad = p.grad;
        // Every temporary of the update is freed as soon as the update is done.
        noGrad(() => tidy(() => this.updateParam(p, grad, state, group)));
      }
    }
  }

  /** The named buffer of a parameter's state, created (filled with `fill`) the first time it is needed. */
  protected buffer(state: ParamState, name: string, param: Tensor, fill = 0): Tensor {
    let b = state.buffers[name];
    if (b === undefined) {
      const host = new Float32Array(param.size);
      if (fill !== 0) host.fill(fill);
      b = keep(new Tensor(backend().upload(host), param.shape));
      state.buffers[name] = b;
    }
    return b;
  }

  /**
   * Runs a fused update: `source` is an elementwise program over the tensors and numbers given;
   * each output named like one of the tensors (the parameter `p`, a state buffer) becomes its
   * new value — in place on the cpu.
   */
  protected applyProgram(source: string, tensors: Record<string, Tensor>, scalars: Record<string, number>): void {
    const out = pointwiseAll(this.name, source, { ...tensors, ...scalars }, true);
    for (const [name, value] of Object.entries(out)) {
      const target = tensors[name];
      if (!target) throw new Error(`${this.name}: update program sets '${name}', which is not one of its tensors`);
      target.storage = value.storage;
    }
  }

  /** The reference path's assignment: `target` takes `value`'s values (as `target.copy_(value)` would). */
  protected assign(target: Tensor, value: Tensor): void {
    target.storage = value.storage;
  }

  /** A copy of the optimizer's state: step counts, buffers and every group's options. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, SavedParamState> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...options } = group;
      const saved: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(options)) saved[k] = copyValue(v);
      const ids = params.map((p) => {
        const s = this.state.get(p);
        if (s) {
          const buffers: Record<string, Tensor> = {};
          for (const [name, b] of Object.entries(s.buffers)) buffers[name] = keep(hostCopy(b, p.shape));
          state[index] = { step: s.step, buffers };
        }
        return index++;
      });
      return { ...saved, params: ids };
    });
    return { state, paramGroups };
  }

  /**
   * Restores a state from `stateDict()`: a run resumed from it continues exactly as the
   * original would have. Everything is checked before anything changes, so a dict that does
   * not fit (another optimizer's, another model's) leaves this optimizer as it was.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (typeof sd !== 'object' || sd === null || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
      throw new TypeError(`${where}: expected { state, paramGroups } as returned by stateDict()`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(`${where}: the dict has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    const newOptions = this.paramGroups.map((group, g) => {
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
      for (const key of Object.keys(this.defaults)) {
        if (!(key in saved)) throw new RangeError(`${where}: group ${g} lacks option '${key}' (is this another optimizer's state?)`);
        options[key] = copyValue(saved[key]);
      }
      for (const key of Object.keys(saved)) {
        if (key !== 'params' && !(key in this.defaults)) throw new RangeError(`${where}: group ${g} has unknown option '${key}' (is this another optimizer's state?)`);
      }
      this.validateOptions(options as unknown as O, `${where} (group ${g})`);
      return options as unknown as O;
    });
    const groupOf = new Map<Tensor, O>();
    this.paramGroups.forEach((group, g) => group.params.forEach((p) => groupOf.set(p, newOptions[g])));
    const known = this.bufferNames();
    const newState = new Map<Tensor, ParamState>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new RangeError(`${where}: state for parameter ${key}, which no group lists`);
      if (!Number.isInteger(saved?.step) || saved.step < 0) {
        throw new RangeError(`${where}: parameter ${key} has step ${saved?.step}; expected an integer ≥ 0`);
      }
      const buffers: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(saved.buffers ?? {})) {
        if (!known.includes(name)) throw new RangeError(`${where}: parameter ${key} has unknown buffer '${name}' (${this.name} keeps ${known.join(', ')})`);
        if (!(t instanceof Tensor) || t.size !== p.size) {
          const got = t instanceof Tensor ? `shape ${fmtShape(t.shape)}` : typeof t;
          throw new ShapeError(`${where}: buffer '${name}' of parameter ${key} must have ${p.size} values like the parameter ${fmtShape(p.shape)}, got ${got}`);
        }
        buffers[name] = keep(new Tensor(backend().upload(Float32Array.from(t.data)), p.shape));
      }
      for (const name of this.requiredBuffers(groupOf.get(p)!)) {
        if (saved.step > 0 && !(name in buffers)) throw new RangeError(`${where}: parameter ${key} lacks buffer '${name}'`);
      }
      newState.set(p, { step: saved.step, buffers });
    }
    // Everything checked: now commit.
    this.paramGroups.forEach((group, g) => Object.assign(group, newOptions[g]));
    for (const s of this.state.values()) for (const b of Object.values(s.buffers)) b.dispose();
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }
}
