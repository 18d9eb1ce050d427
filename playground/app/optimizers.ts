/**
 * Every optimizer `tg.optim` exports, found at run time rather than listed here, so that an
 * optimizer added to the library appears in the page without an edit. An export counts as
 * an optimizer when it is a class deriving from `tg.optim.Optimizer` that can be built over
 * one parameter with `(params, options)`; its hyperparameters and their defaults are read
 * from the parameter group such a probe instance resolves (PyTorch's `param_groups`).
 */
import * as tg from 'tsgrad';

export type HyperValue = number | boolean | string | null | number[];
export type Hyperparams = Record<string, HyperValue>;

/** What the page needs of an optimizer instance; the library's class satisfies it. */
export interface OptimizerLike {
  readonly paramGroups: ReadonlyArray<Record<string, unknown> & { lr: number }>;
  zeroGrad(): void;
  step(closure?: () => tg.Tensor): unknown;
}

type OptimizerClass = new (params: tg.Tensor[], options?: Record<string, unknown>) => OptimizerLike;

export interface OptimizerEntry {
  name: string;
  /** Every hyperparameter but lr, with its default. */
  defaults: Hyperparams;
  /** The class's default learning rate, or null where the caller must give one (SGD). */
  defaultLr: number | null;
  create(params: tg.Tensor[], lr: number, options: Hyperparams): OptimizerLike;
}

/** Classic first, in the order the tutorials teach them; newer ones after, by name. */
const TEACHING_ORDER = ['SGD', 'Momentum', 'AdaGrad', 'RMSprop', 'Adam', 'AdamW'];

/** Values for string-valued options, where a list is better than a text field. */
export const CHOICES: Record<string, readonly (string | null)[]> = {
  variant: ['classical', 'ema'],
  lineSearchFn: [null, 'strong_wolfe'],
};

/** Optimizers whose step must re-evaluate the loss itself (PyTorch's `step(closure)`). */
const NEEDS_CLOSURE = new Set(['LBFGS']);
/** Classes found to need a closure by trying (a step without one said so), as a fallback. */
const learnedClosure = new WeakSet<object>();
/** Export names by class: a minifier may rename the classes themselves. */
const exportNames = new WeakMap<object, string>();

let cache: OptimizerEntry[] | null = null;

export function listOptimizers(): OptimizerEntry[] {
  cache ??= discover();
  return cache;
}

export function findOptimizer(name: string | null): OptimizerEntry | undefined {
  return listOptimizers().find((o) => o.name === name);
}

function isOptimizerClass(value: unknown): value is OptimizerClass {
  if (typeof value !== 'function' || !value.prototype) return false;
  const base = (tg.optim as Record<string, unknown>).Optimizer;
  if (typeof base === 'function') return value.prototype instanceof base;
  // Without an exported base class: anything with the optimizer's two methods.
  return typeof value.prototype.step === 'function' && typeof value.prototype.zeroGrad === 'function';
}

function discover(): OptimizerEntry[] {
  const found: OptimizerEntry[] = [];
  for (const [name, value] of Object.entries(tg.optim)) {
    if (!isOptimizerClass(value)) continue;
    const entry = probe(name, value);
    if (entry) {
      found.push(entry);
      exportNames.set(value, name);
    }
  }
  const rank = (n: string): number => (TEACHING_ORDER.includes(n) ? TEACHING_ORDER.indexOf(n) : TEACHING_ORDER.length);
  return found.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/**
 * Builds the class over a throwaway parameter: first with no options (the defaults,
 * including lr's), then with only an lr for classes that require one. A class that
 * builds neither way (an abstract family base) is not offered.
 */
function probe(name: string, Class: OptimizerClass): OptimizerEntry | null {
  const param = tg.zeros([1], { requiresGrad: true });
  let instance: OptimizerLike | null = null;
  let defaultLr: number | null = null;
  try {
    instance = new Class([param], {});
    defaultLr = instance.paramGroups[0]!.lr;
  } catch {
    try {
      instance = new Class([param], { lr: 0.01 });
    } catch {
      return null;
    }
  }
  const { params: _params, lr: _lr, ...rest } = instance.paramGroups[0]!;
  const defaults: Hyperparams = {};
  for (const [key, value] of Object.entries(rest)) {
    if (isHyperValue(value)) defaults[key] = Array.isArray(value) ? [...value] : value;
  }
  return {
    name,
    defaults,
    defaultLr,
    create: (params, lr, options) => new Class(params, { ...options, lr }),
  };
}

function isHyperValue(v: unknown): v is HyperValue {
  return v === null || ['number', 'boolean', 'string'].includes(typeof v) ||
    (Array.isArray(v) && v.every((x) => typeof x === 'number'));
}

/**
 * One optimizer step. `closure` zeroes the gradients, computes the loss, calls backward()
 * and returns the loss. Optimizers that need the closure get it; the others are stepped
 * after the closure has run once, which works with libraries whose `step()` takes none.
 * Returns the loss the closure computed first.
 */
export function stepOptimizer(opt: OptimizerLike, closure: () => tg.Tensor): tg.Tensor {
  const cls = opt.constructor;
  if (NEEDS_CLOSURE.has(exportNames.get(cls) ?? '') || learnedClosure.has(cls)) return opt.step(closure) as tg.Tensor;
  const loss = closure();
  try {
    opt.step();
  } catch (err) {
    // An optimizer that was not known to need a closure says so: remember it and retry.
    // A failed step changes nothing, so retrying is safe.
    if (!(err instanceof Error && /closure/i.test(err.message))) throw err;
    learnedClosure.add(cls);
    return opt.step(closure) as tg.Tensor;
  }
  return loss;
}

/** The values `options` would give, checked by the optimizer's own constructor (its messages name the bad option). */
export function checkOptions(entry: OptimizerEntry, lr: number, options: Hyperparams): void {
  entry.create([tg.zeros([1], { requiresGrad: true })], lr, options);
}

/** Text for a hyperparameter's value in a field or the URL; `parseHyper` reads it back. */
export function formatHyper(v: HyperValue): string {
  if (v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

/** Reads a field's text as a value of the same kind as `like` (the default), or throws saying why. */
export function parseHyper(key: string, text: string, like: HyperValue): HyperValue {
  const t = text.trim();
  const num = (s: string): number => {
    const x = s.trim() === '' ? NaN : Number(s);
    if (!Number.isFinite(x)) throw new RangeError(`${key} must be a number, got '${s.trim()}'`);
    return x;
  };
  if (typeof like === 'number') return num(t);
  if (typeof like === 'boolean') {
    if (t === 'true' || t === '1') return true;
    if (t === 'false' || t === '0') return false;
    throw new RangeError(`${key} must be true or false, got '${t}'`);
  }
  if (Array.isArray(like)) {
    const parts = t.split(/[\s,]+/).filter((s) => s !== '');
    if (parts.length !== like.length) throw new RangeError(`${key} needs ${like.length} numbers separated by commas, got '${t}'`);
    return parts.map(num);
  }
  if (t === '' && like === null) return null;
  return t;
}
