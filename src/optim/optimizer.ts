/**
 * The Optimizer base: what every optimizer shares — parameter groups with options of their
 * own, per-parameter state, `zeroGrad()`, `step()`, and saving/restoring that state.
 *
 * A subclass supplies the math for one parameter (`updateParam`), the option checks, and the
 * names of the state it keeps. Its update is written twice, side by side: as an elementwise
 * program that every backend compiles into one fused pass (`applyProgram`), and as plain
 * tensor ops, the reference the fused form is tested against (`fused: false`). Optimizers
 * that treat all parameters as one vector (LBFGS) override `step` and the state dict instead.
 * Saving and loading the state dict is in state-dict.ts, the public types in optimizer-types.ts.
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
import { copyValue, describe } from './validate.ts';
import { SQUARE_BUFFERS, loadOptimizerState, saveOptimizerState, type OptimizerStateDict } from './state-dict.ts';
import type { BaseOptions, Closure, OptimizerOptions, ParamGroup, ParamGroupInput, ParamState, Params } from './optimizer-types.ts';

export type { BaseOptions, Closure, OptimizerOptions, ParamGroup, ParamGroupInput, ParamState, Params } from './optimizer-types.ts';
export type { OptimizerStateDict, SavedParamState } from './state-dict.ts';

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
    return saveOptimizerState(this.paramGroups, this.state);
  }

  /**
   * Restores a state from `stateDict()`: a run resumed from it continues exactly as the
   * original would have. Everything is checked before anything changes, so a dict that does
   * not fit (another optimizer's, another model's) leaves this optimizer as it was.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    loadOptimizerState({
      name: this.name,
      defaults: this.defaults,
      paramGroups: this.paramGroups,
      state: this.state,
      validateOptions: (options, where) => this.validateOptions(options, where),
      bufferNames: () => this.bufferNames(),
      requiredBuffers: (group) => this.requiredBuffers(group),
      nonNegativeBuffers: () => this.nonNegativeBuffers(),
      scalarRanges: () => this.scalarRanges(),
    }, sd);
  }
}
