/**
 * Module: the base class of every layer, loss and model.
 *
 * A model is a plain TypeScript class whose fields hold its layers, parameters and buffers.
 * Nothing has to be registered: `parameters()`, `stateDict()`, `train()` and friends look at
 * the object's own fields each time they run and pick up every Parameter, Buffer and Module
 * found there, including those inside arrays and plain objects, naming them by their field
 * paths ("encoder.0.weight"), the way PyTorch names them. (JavaScript `#private` fields are
 * invisible to this reflection; store layers in ordinary or TypeScript `private` fields.)
 * Built-in layers name their fields as PyTorch names its attributes (`running_mean`,
 * `in_proj_weight`), so that a stateDict has PyTorch's keys.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { sameShape } from '../tensor/shape.ts';
import { isHost } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import { Parameter } from './parameter.ts';
import { Buffer } from './buffer.ts';
import { callForward } from './call-stack.ts';

/** A model's learned values by dotted name, as `stateDict()` returns and `loadStateDict()` takes. */
export type StateDict = Record<string, Tensor>;

/** Thrown by `loadStateDict` (and `io.load`) when the entries do not fit the model. */
export class StateDictError extends Error {
  /** Always 'StateDictError'. */
  override name = 'StateDictError';
}

/** Members found under one field: direct parameters, buffers and child modules, with their names. */
export type Member = [string, Parameter | Buffer | Module];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Collects Parameters, Buffers and Modules from a field value, descending into arrays and plain objects. */
function collect(name: string, value: unknown, out: Member[], seen: Set<unknown>): void {
  if (value instanceof Parameter || value instanceof Buffer || value instanceof Module) {
    out.push([name, value]);
  } else if (Array.isArray(value) || isPlainObject(value)) {
    if (seen.has(value)) return; // a container that refers to itself
    seen.add(value);
    // Index loops, not Object.entries: a field holding a long array of numbers stays cheap.
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v !== null && typeof v === 'object') collect(`${name}.${i}`, v, out, seen);
      }
    } else {
      for (const k of Object.keys(value)) {
        const v = value[k];
        if (v !== null && typeof v === 'object') collect(`${name}.${k}`, v, out, seen);
      }
    }
  }
}

/** Base class of layers and models: subclass it, store layers in fields, write `forward`. */
export abstract class Module {
  /** True in training mode (the default), false after `eval()`; Dropout and BatchNorm read it. */
  training = true;

  constructor() {
    // Every forward runs through callForward, which names the failing module in errors and
    // the running module in op traces. The subclass's method is already on the prototype
    // chain here; the wrapper is an own, non-enumerable property, invisible to members().
    const forward = this.forward as (...args: unknown[]) => unknown;
    Object.defineProperty(this, 'forward', {
      value: (...args: unknown[]) => callForward(this, forward, args),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }

  /** Computes the module's output: a Tensor for most layers, whatever the subclass declares for others (LSTM: [output, [h, c]]). */
  // `any` lets each subclass declare its own inputs (x, or pred and target for a loss) and result.
  abstract forward(...inputs: any[]): any;

  /**
   * A function computing `next.forward(this.forward(x))` as one fused op, or null (the
   * default) when this module has none with `next`. Sequential asks it of each layer and the
   * one after it; Conv2D fuses a following ReLU (ops/conv.ts conv2dRelu).
   * @internal
   */
  fusedWith(_next: Module): ((x: Tensor) => Tensor) | null {
    return null;
  }

  /**
   * The Parameters, Buffers and Modules held directly by this module, by field name.
   * Subclasses that keep their children somewhere other than fields (Sequential, LSTM)
   * override this.
   */
  protected members(): Member[] {
    const out: Member[] = [];
    const seen = new Set<unknown>();
    for (const [k, v] of Object.entries(this)) {
      if (v !== null && typeof v === 'object') collect(k, v, out, seen);
    }
    return out;
  }

  /** The direct sub-modules, by name. */
  namedChildren(): [string, Module][] {
    return this.members().filter((m): m is [string, Module] => m[1] instanceof Module);
  }

  /**
   * Depth-first over the fields in declaration order: each Parameter and Module is visited
   * once, under the first path it is found by (tied weights, a layer used twice, or a
   * reference back to a parent are not listed again).
   */
  private walk(visitTensor: (name: string, t: Parameter | Buffer) => void, visitModule: (name: string, m: Module) => void): void {
    const seen = new Set<Parameter | Buffer | Module>([this]);
    visitModule('', this);
    const visit = (m: Module, prefix: string) => {
      for (const [name, v] of m.members()) {
        if (seen.has(v)) continue;
        seen.add(v);
        const path = prefix ? `${prefix}.${name}` : name;
        if (v instanceof Module) { visitModule(path, v); visit(v, path); } else visitTensor(path, v);
      }
    };
    visit(this, '');
  }

  /** This module and every module below it, with dotted names ('' for this one); each listed once. */
  namedModules(): [string, Module][] {
    const out: [string, Module][] = [];
    this.walk(() => {}, (name, m) => out.push([name, m]));
    return out;
  }

  /**
   * Every parameter of this module and its sub-modules with its dotted name, in field order.
   * A parameter shared by two layers is listed once, under the first name it is found by.
   */
  namedParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    this.walk((name, t) => { if (t instanceof Parameter) out.push([name, t]); }, () => {});
    return out;
  }

  /** Every buffer (running statistics and counters) with its dotted name, in field order. */
  namedBuffers(): [string, Buffer][] {
    const out: [string, Buffer][] = [];
    this.walk((name, t) => { if (t instanceof Buffer) out.push([name, t]); }, () => {});
    return out;
  }

  /** The buffers as namedBuffers() lists them: saved and loaded with the model, never given to an optimizer. */
  buffers(): Buffer[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Parameters and buffers together, in field order: what stateDict() saves. */
  private namedState(): [string, Parameter | Buffer][] {
    const out: [string, Parameter | Buffer][] = [];
    this.walk((name, t) => out.push([name, t]), () => {});
    return out;
  }

  /** Every parameter, as `namedParameters()` lists them; hand these to an optimizer. */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Sets training mode on this module and every sub-module; returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Switches to evaluation mode (Dropout becomes the identity); returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradient of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * A copy of every parameter's and buffer's values, keyed by dotted name (PyTorch's keys for
   * the built-in layers); later training does not change it.
   */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [name, t] of this.namedState()) sd[name] = new Tensor(t.data.slice(), t.shape, { dtype: t.dtype });
    return sd;
  }

  /**
   * Copies values into the parameters and buffers. Every entry is checked first (no missing
   * names, no unexpected ones, matching shapes and dtypes), so a StateDictError leaves the
   * model unchanged.
   */
  loadStateDict(sd: StateDict): void {
    if (sd === null || typeof sd !== 'object') throw new TypeError('loadStateDict: expected an object of Tensors keyed by parameter name');
    const params = this.namedState();
    const expected = new Set(params.map(([n]) => n));
    const missing = params.map(([n]) => n).filter((n) => !Object.prototype.hasOwnProperty.call(sd, n));
    const unexpected = Object.keys(sd).filter((n) => !expected.has(n));
    const problems: string[] = [];
    if (missing.length) problems.push(`missing: ${missing.join(', ')}`);
    if (unexpected.length) problems.push(`unexpected: ${unexpected.join(', ')}`);
    for (const [name, p] of params) {
      const v = sd[name];
      if (v === undefined) continue;
      if (!(v instanceof Tensor)) problems.push(`${name} is not a Tensor`);
      else if (!sameShape(v.shape, p.shape)) problems.push(`${name} has shape ${fmtShape(v.shape)}, the model needs ${fmtShape(p.shape)}`);
      else if (v.dtype !== p.dtype) problems.push(`${name} is ${v.dtype}, the model needs ${p.dtype}`);
    }
    if (problems.length) throw new StateDictError(`loadStateDict: ${problems.join('; ')}`);
    for (const [name, p] of params) {
      const values = sd[name].data;
      // Keep the parameter's own array (optimizers and views may hold it) when it is on the host.
      if (isHost(p.storage)) p.storage.set(values);
      else p.storage = backend().upload(values.slice());
    }
  }

  /** An indented outline of the model: one line per module, with its own parameters' shapes. */
  toString(): string {
    const lines: string[] = [];
    const seen = new Set<Module>();
    const render = (m: Module, name: string, depth: number) => {
      seen.add(m);
      const members = m.members();
      const shapes = members.filter(([, v]) => v instanceof Parameter).map(([n, p]) => `${n}${fmtShape((p as Parameter).shape)}`);
      lines.push(`${'  '.repeat(depth)}${name ? `(${name}) ` : ''}${m.describe()}${shapes.length ? `  ${shapes.join(' ')}` : ''}`);
      for (const [n, child] of members) if (child instanceof Module && !seen.has(child)) render(child, n, depth + 1);
    };
    render(this, '', 0);
    return lines.join('\n');
  }

  /** How `toString()` names this module; layers add their hyperparameters. */
  describe(): string {
    return this.constructor.name;
  }
}

/** Throws a ShapeError naming the layer when x does not have the expected number of dimensions. */
export function expectDims(layer: string, x: Tensor, dims: number[], layout: string): void {
  if (!(x instanceof Tensor)) throw new TypeError(`${layer}: expected a Tensor input, got ${typeof x}`);
  if (!dims.includes(x.ndim)) throw new ShapeError(`${layer}: expected a ${layout} input, got ${fmtShape(x.shape)}`);
}
