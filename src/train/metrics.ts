/**
 * Batch metrics computed straight from the output values: correct predictions for
 * classifiers, and the `metrics` option of fit() and evaluate() — accuracy where the output
 * is class scores against integer labels, mean absolute and squared errors where it is a
 * prediction of the target itself, or a function of your own.
 */
import { Tensor } from '../tensor/tensor.ts';
import { fmtShape } from '../tensor/errors.ts';
import { describeValue } from '../data/errors.ts';
import type { Target } from './types.ts';

/** Integer class labels as a host array, or null when the target is not labels (float values, or not 1 per sample). */
function labelsOf(target: Target): Int32Array | null {
  if (target instanceof Int32Array) return target;
  return target.dtype === 'int32' ? (target.data as Int32Array) : null;
}

/** Number of rows of logits [B, C] whose largest entry is at the label's index (null if not [B, C>1] against B labels). */
export function countCorrect(logits: Tensor, target: Target): number | null {
  const labels = labelsOf(target);
  if (labels === null || (target instanceof Tensor && target.ndim !== 1)) return null;
  if (logits.ndim !== 2 || logits.shape[1] < 2 || logits.shape[0] !== labels.length) return null;
  const [b, c] = logits.shape;
  const v = logits.data;
  let correct = 0;
  for (let i = 0; i < b; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (v[i * c + j] > v[i * c + best]) best = j;
    if (best === labels[i]) correct++;
  }
  return correct;
}

/** The built-in metrics. */
export type MetricName = 'accuracy' | 'mae' | 'mse';

/** A metric of your own: `fn` gives its mean over one batch; the epoch's value averages batches by their size. */
export interface CustomMetric {
  /** The key of its values in EpochRecord.metrics and History.metric(name). */
  name: string;
  /** The metric's mean over one batch of predictions and targets. */
  fn: (pred: Tensor, target: Target) => number;
}

/** An entry of the `metrics` option of fit() and evaluate(). */
export type Metric = MetricName | CustomMetric;

const BUILT_IN: readonly string[] = ['accuracy', 'mae', 'mse'];

/** Checks a `metrics` option: built-in names or { name, fn } objects, each name once. */
export function checkMetrics(who: string, metrics: unknown): Metric[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) throw new TypeError(`${who}: metrics must be an array such as ['accuracy'] or ['mae'], got ${describeValue(metrics)}`);
  const names = new Set<string>();
  for (const m of metrics) {
    const custom = m !== null && typeof m === 'object' && typeof (m as CustomMetric).name === 'string' && typeof (m as CustomMetric).fn === 'function';
    if (!custom && !BUILT_IN.includes(m as string)) {
      throw new RangeError(`${who}: a metric must be one of ${BUILT_IN.map((n) => `'${n}'`).join(', ')} or { name, fn(pred, target) }, got ${describeValue(m)}`);
    }
    const name = custom ? (m as CustomMetric).name : (m as string);
    if (names.has(name)) throw new RangeError(`${who}: metric '${name}' is listed twice`);
    names.add(name);
  }
  return metrics as Metric[];
}

/**
 * Correct predictions and predictions made: scores [..., C] against labels [...] (a
 * classifier's [B, C] with [B], a language model's [B, T, V] with [B, T]), or PyTorch's
 * [N, C, d…] against [N, d…]. Anything else is an error: accuracy means nothing there.
 */
function accuracyCounts(pred: Tensor, target: Target): [number, number] {
  const labels = labelsOf(target);
  const labelShape = target instanceof Tensor ? target.shape : [target.length];
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  let classes: number, inner: number;
  if (labels && pred.ndim >= 2 && same(pred.shape.slice(0, -1), labelShape)) {
    classes = pred.shape[pred.ndim - 1];
    inner = 1;
  } else if (labels && pred.ndim >= 3 && same([pred.shape[0], ...pred.shape.slice(2)], labelShape)) {
    classes = pred.shape[1];
    inner = pred.size / (pred.shape[0] * classes);
  } else {
    throw new TypeError(`metrics: accuracy needs class scores [..., C] and integer labels [...]; got output ${fmtShape(pred.shape)} and ` +
      `${labels ? 'labels' : `${(target as Tensor).dtype} targets`} ${fmtShape(labelShape)} (for regression use 'mae' or 'mse')`);
  }
  const v = pred.data;
  let correct = 0;
  for (let k = 0; k < labels.length; k++) {
    // Element k of the labels: sample s = ⌊k / inner⌋, position r = k mod inner; class c sits at (s·C + c)·inner + r.
    const s = Math.floor(k / inner), r = k % inner;
    const at = (c: number) => (inner === 1 ? k * classes + c : (s * classes + c) * inner + r);
    let best = 0;
    for (let c = 1; c < classes; c++) if (v[at(c)] > v[at(best)]) best = c;
    if (best === labels[k]) correct++;
  }
  return [correct, labels.length];
}

/** Σ|p − t| or Σ(p − t)² over every element, and the element count. */
function errorSums(kind: 'mae' | 'mse', pred: Tensor, target: Target): [number, number] {
  const t = target instanceof Tensor ? target : null;
  if (!t || t.shape.length !== pred.shape.length || t.shape.some((d, i) => d !== pred.shape[i])) {
    const shape = t ? fmtShape(t.shape) : `${(target as Int32Array).length} labels`;
    throw new TypeError(`metrics: '${kind}' compares the output ${fmtShape(pred.shape)} with a target of the same shape, got ${shape}`);
  }
  const p = pred.data, q = t.data;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const d = p[i] - q[i];
    sum += kind === 'mae' ? Math.abs(d) : d * d;
  }
  return [sum, p.length];
}

/** Sums a list of metrics over the batches of an epoch. */
export class MetricTracker {
  private readonly sums: number[];
  private readonly counts: number[];

  constructor(private readonly metrics: readonly Metric[]) {
    this.sums = metrics.map(() => 0);
    this.counts = metrics.map(() => 0);
  }

  get names(): string[] {
    return this.metrics.map((m) => (typeof m === 'string' ? m : m.name));
  }

  /** Adds one batch of `samples` samples. */
  add(pred: Tensor, target: Target, samples: number): void {
    this.metrics.forEach((m, i) => {
      let sum: number, count: number;
      if (m === 'accuracy') [sum, count] = accuracyCounts(pred, target);
      else if (m === 'mae' || m === 'mse') [sum, count] = errorSums(m, pred, target);
      else {
        const value = m.fn(pred, target);
        if (typeof value !== 'number') throw new TypeError(`metrics: '${m.name}' returned ${describeValue(value)}, expected a number`);
        [sum, count] = [value * samples, samples];
      }
      this.sums[i] += sum;
      this.counts[i] += count;
    });
  }

  /** Each metric's value over the batches added so far. */
  values(): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((name, i) => { out[name] = this.sums[i] / this.counts[i]; });
    return out;
  }
}
