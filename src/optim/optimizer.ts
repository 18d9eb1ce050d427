/**
 * The Optimizer base: what every optimizer shares — parameter groups with options of their
 * own, per-parameter state, `zeroGrad()`, `step()`, and saving/restoring that state.
 *
 * A subclass supplies the math for one parameter (`updateParam`), the option checks, and the
 * names of the state it keeps. Its update is written twice, side by side: as an elementwise
 * program that every backend compiles into one fused pass (`applyProgram`), and as plain
 * tensor ops, the reference the fused form is tested against (`fused: false`). Optimizers
 * that treat all parameters as one vector (LBFGS) override `step` and the state dict instead.
 *
 * `step()` is all-or-nothing for every error it can foresee: the options of every group and
 * the gradient of every parameter are checked before the first parameter moves. NaN or
 * infinite gradients are not errors (PyTorch lets them through, and fit() checks the loss);
 * a gradient that is not a Tensor, or has another shape than its parameter, is.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { noGrad } from '../tensor/autograd.ts';
import { keep, tidy } from '../tensor/lifetimes.ts';
import { backend } from '../backend/registry.ts';
import { broadcastAll } from '../ops/broadcast.ts';
import { program, type ProgramArgs } from '../backend/program.ts';
import type { Storage } from '../tensor/storage.ts';
import type { Shape } from '../tensor/shape.ts';

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
  /** Memory that is one number per parameter, not per element, e.g. NAdam's product μ₁·…·μₜ. */
  scalars: Record<string, number>;
}

/** One parameter's saved state: its step count and copies of its buffers. */
export interface SavedParamState {
  /** Steps this parameter had taken. */
  step: number;
  /** Copies of its buffers, shaped like the parameter. */
  buffers: Record<string, Tensor>;
  /** Its per-parameter numbers; present only for optimizers that keep some (NAdam). */
  scalars?: Record<string, number>;
}

/** What `step(closure)` calls: re-evaluates the model and returns the loss (after `backward()`). */
export type Closure<L extends Tensor | number = Tensor | number> = () => L;

/**
 * Buffers of the five classic optimizers that are sums or averages of squares, so a negative
 * value in a loaded state can only be corruption (and would turn into NaN weights one step
 * later). Newer optimizers declare their own in `nonNegativeBuffers()`.
 */
const SQUARE_BUFFERS: readonly string[] = ['sum', 'squareAvg', 'expAvgSq', 'maxExpAvgSq'];

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

/** How a bad value is shown in an error: "a Float32Array", "the number 5", "undefined". */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object' || typeof v === 'function') {
    const name = (v as { constructor?: { name?: string } }).constructor?.name || typeof v;
    return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
  }
  return `the ${typeof v} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
}

/** Base class of every optimizer in tg.optim. */
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

  /**
   * `options` is the options object the user passed (hyperparameters and `fused`): a key in
   * it that is no option of this optimizer (a typo such as `lrr`, or another optimizer's
   * option) is refused rather than silently ignored.
   */
  protected constructor(name: string, params: Params<O>, defaults: O, options: object & OptimizerOptions = {}) {
    this.name = name;
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${name}: options must be an object, got ${describe(options)}`);
    }
    for (const key of Object.keys(options)) {
      if (key !== 'fused' && !(key in defaults)) {
        throw new RangeError(`${name}: unknown option '${key}' (${name}'s options are ${[...Object.keys(defaults), 'fused'].join(', ')})`);
      }
    }
    this.fused = options.fused ?? true;
    if (typeof this.fused !== 'boolean') throw new RangeError(`${name}: fused must be true or false, got ${describe(options.fused)}`);
    this.validateOptions(defaults, name);
    this.defaults = defaults;
    if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name}: params must be an iterable of tensors or of parameter groups (e.g. model.parameters()), got ${describe(params)}`);
    }
    const items = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new RangeError(`${name}: got an empty parameter list`);
    if (items.every((x) => x instanceof Tensor)) {
      this.addParamGroup({ params: items as Tensor[] } as unknown as ParamGroupInput<O>);
    } else if (items.some((x) => x instanceof Tensor)) {
      throw new TypeError(`${name}: params mixes tensors and parameter groups; pass one or the other`);
    } else {
      items.forEach((g, i) => {
        if (typeof g !== 'object' || g === null) throw new TypeError(`${name}: params[${i}] is ${describe(g)}, not a Tensor or a parameter group`);
        this.addParamGroup(g as ParamGroupInput<O>);
      });
    }
  }

  /** Checks one set of options, throwing a RangeError that names the bad option. */
  protected abstract validateOptions(options: O, where: string): void;

  /**
   * Updates one parameter from its gradient (already checked to match its shape); `state.step`
   * already counts this step. Optimizers that update all parameters as one vector override
   * `step` instead and never reach this.
   */
  protected updateParam(_param: Tensor, _grad: Tensor, _state: ParamState, _group: ParamGroup<O>): void {
    throw new Error(`${this.name}: updates all parameters together in step(), not one at a time`);
  }

  /** Every buffer name this optimizer may keep. */
  protected abstract bufferNames(): readonly string[];

  /** Buffers whose absence could not be treated as a fresh start under these options. */
  protected abstract requiredBuffers(group: O): readonly string[];

  /** Buffers that can never hold a negative value (second moments, step sizes). */
  protected nonNegativeBuffers(): readonly string[] {
    return this.bufferNames().filter((name) => SQUARE_BUFFERS.includes(name));
  }

  /** The per-parameter numbers this optimizer keeps, each with the closed interval it must lie in. */
  protected scalarRanges(): Readonly<Record<string, readonly [number, number]>> {
    return {};
  }

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
   * Updates every parameter that has a gradient. With a closure (which should zero the
   * gradients, recompute the loss, call `backward()` and return the loss), it is called
   * first and its loss returned, as in PyTorch; LBFGS needs one, the others accept one.
   * Every group's options and every gradient are checked before any parameter changes.
   */
  step<L extends Tensor | number>(closure?: Closure<L>): L | undefined {
    const loss = this.callClosure(closure);
    this.checkReadyToStep();
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        let state = this.state.get(p);
        if (!state) {
          state = { step: 0, buffers: {}, scalars: {} };
          this.state.set(p, state);
        }
        state.step += 1;
        const grad = p.grad;
        // Every temporary of the update is freed as soon as the update is done.
        noGrad(() => tidy(() => this.updateParam(p, grad, state, group)));
      }
    }
    return loss;
  }

  /** Runs a step's closure, if any, after checking it is a function. */
  protected callClosure<L extends Tensor | number>(closure: Closure<L> | undefined): L | undefined {
    if (closure === undefined) return undefined;
    if (typeof closure !== 'function') {
      throw new TypeError(`${this.name}.step: closure must be a function that returns the loss, got ${describe(closure)}`);
    }
    return closure();
  }

  /**
   * Checks what a step reads — each group's options (a scheduler or a user may have changed
   * them since construction) and each parameter's gradient — so a step that would fail
   * part-way fails before anything has changed.
   */
  protected checkReadyToStep(): void {
    this.paramGroups.forEach((group, g) => {
      this.validateOptions(group, `${this.name}.step (group ${g})`);
      group.params.forEach((p, i) => {
        const where = `${this.name}.step: parameter ${i} of group ${g}`;
        if (!(p instanceof Tensor)) throw new TypeError(`${where} is ${describe(p)}, not a Tensor`);
        const grad: unknown = p.grad;
        if (grad === null) return;
        if (!(grad instanceof Tensor)) {
          throw new TypeError(`${where} has a gradient that is ${describe(grad)}, not a Tensor (null means no gradient)`);
        }
        if (grad.size !== p.size || grad.shape.length !== p.shape.length || grad.shape.some((d, k) => d !== p.shape[k])) {
          throw new ShapeError(`${this.name}.step: gradient of shape ${fmtShape(grad.shape)} does not match parameter ${i} of group ${g} with shape ${fmtShape(p.shape)}`);
        }
      });
    });
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
   *
   * Work out every number that depends only on the options here, in float64, and pass it in
   * (`oneMinusBeta2`, not `1 - beta2` in the program): on the gpu a program runs in float32,
   * where 1 − 0.999 comes out 1.3e-5 too small — a systematic error in every second moment.
   */
  protected applyProgram(source: string, tensors: Record<string, Tensor>, scalars: Record<string, number>): void {
    // The backend's results go straight into the tensors they update: no result tensors are
    // made (and counted, and freed again) per parameter and step, as pointwiseAll would.
    const p = program(source);
    for (const name of p.outputs) {
      if (!tensors[name]) throw new Error(`${this.name}: update program sets '${name}', which is not one of its tensors`);
    }
    const args: Record<string, ProgramArgs<Storage>[string]> = {};
    const shapes: Shape[] = [];
    for (const name of p.inputs) {
      const t = tensors[name];
      if (t !== undefined) {
        args[name] = { storage: t.storage, shape: t.shape, dtype: t.dtype };
        shapes.push(t.shape);
      } else if (typeof scalars[name] === 'number') {
        args[name] = scalars[name];
      } else {
        throw new TypeError(`${this.name}: update program reads '${name}', which is neither one of its tensors nor a number`);
      }
    }
    const outShape = broadcastAll(this.name, shapes);
    const storages = backend().elementwise(p, args, outShape, true);
    for (const name of p.outputs) tensors[name].storage = storages[name];
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
          state[index] = Object.keys(s.scalars).length > 0 ? { step: s.step, buffers, scalars: { ...s.scalars } } : { step: s.step, buffers };
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
    const nonNegative = this.nonNegativeBuffers();
    const scalarRanges = this.scalarRanges();
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
        if (!known.includes(name)) throw new RangeError(`${where}: parameter ${key} has unknown buffer '${name}' (${this.name} keeps ${known.join(', ')})`);
        if (!(t instanceof Tensor) || t.size !== p.size) {
          const got = t instanceof Tensor ? `shape ${fmtShape(t.shape)}` : typeof t;
          throw new ShapeError(`${where}: buffer '${name}' of parameter ${key} must have ${p.size} values like the parameter ${fmtShape(p.shape)}, got ${got}`);
        }
        const values = Float32Array.from(t.data);
        checkBufferValues(values, nonNegative.includes(name), `${where}: buffer '${name}' of parameter ${key}`);
        buffers[name] = values;
      }
      for (const name of this.requiredBuffers(groupOf.get(p)!)) {
        if (saved.step > 0 && !(name in buffers)) throw new RangeError(`${where}: parameter ${key} lacks buffer '${name}'`);
      }
      const scalars: Record<string, number> = {};
      const savedScalars: unknown = saved.scalars ?? {};
      if (typeof savedScalars !== 'object' || savedScalars === null) throw new TypeError(`${where}: parameter ${key} has scalars that are ${describe(savedScalars)}; expected an object of numbers`);
      for (const [name, v] of Object.entries(savedScalars)) {
        const range = scalarRanges[name];
        if (!range) throw new RangeError(`${where}: parameter ${key} has unknown scalar '${name}'${Object.keys(scalarRanges).length ? ` (${this.name} keeps ${Object.keys(scalarRanges).join(', ')})` : ` (${this.name} keeps none)`}`);
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
    this.paramGroups.forEach((group, g) => Object.assign(group, newOptions[g]));
    for (const s of this.state.values()) for (const b of Object.values(s.buffers)) b.dispose();
    this.state.clear();
    for (const [p, s] of newState) {
      const buffers: Record<string, Tensor> = {};
      for (const [name, values] of Object.entries(s.buffers)) buffers[name] = keep(new Tensor(backend().upload(values), p.shape));
      this.state.set(p, { step: s.step, buffers, scalars: s.scalars });
    }
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
