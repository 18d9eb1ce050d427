/**
 * Normalisation: layerNorm, groupNorm and batchNorm. Each is a composition (mean, a centred
 * square, a scale), so autograd differentiates it and needs no backward of its own; batchNorm
 * in training, the layer of every conv block of a ResNet, also has a fused form with its own
 * backward (batchStatsForward), tested against the composition.
 * All three divide by the *biased* variance, Σ(x − x̄)²/n, as PyTorch does; batchNorm's
 * running estimate of the variance is the unbiased one, n/(n − 1) times larger.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { sameShape } from '../tensor/shape.ts';
import { noGrad } from '../tensor/autograd.ts';
import { checkFloat, checkInteger, checkNumber, checkOptions, checkTensor, show } from '../tensor/validate.ts';
import { isTracing, traced } from './trace.ts';
import { add, div, mul, sub } from './arithmetic.ts';
import { sqrt } from './math.ts';
import { mean, sum } from './reduce.ts';
import { pointwise } from './pointwise.ts';
import { record } from './record.ts';
import { reshape } from './view.ts';

export interface NormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
}

export interface BatchNormOptions extends NormOptions {
  /** Normalise by this batch's statistics and update the running ones (true), or use the running ones (false, the default). */
  training?: boolean;
  /** Weight of the new batch in the running averages: r ← (1 − m)·r + m·batch. Default 0.1. */
  momentum?: number;
}

function epsOf(op: string, options: NormOptions | undefined, known: readonly string[] = ['eps']): number {
  checkOptions(op, options, known);
  const eps = options?.eps ?? 1e-5;
  checkNumber(op, 'eps', eps);
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be ≥ 0, got ${eps}`);
  return eps;
}

function optionalTensor(op: string, name: string, t: Tensor | null | undefined): Tensor | null {
  if (t === null || t === undefined) return null;
  return checkFloat(op, name, checkTensor(op, name, t));
}

/** (x − mean)/√(var + eps) over `axes`, with the biased variance; returns the normalised x, mean and variance. */
function standardize(x: Tensor, axes: number[], eps: number): { y: Tensor; m: Tensor; v: Tensor } {
  const m = mean(x, axes, true);
  const centred = sub(x, m);
  const v = mean(mul(centred, centred), axes, true);
  return { y: mul(centred, div(1, sqrt(add(v, eps)))), m, v };
}

/**
 * y = (x − E[x])/√(Var[x] + eps)·weight + bias, the statistics taken over the trailing
 * dimensions given by `normalizedShape` (each sample, and each position of a sequence, on
 * its own). weight and bias have shape `normalizedShape`.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, options?: NormOptions): Tensor {
  checkFloat('layerNorm', 'x', checkTensor('layerNorm', 'x', x));
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new TypeError(`layerNorm: normalizedShape must be a positive integer or a non-empty array of them, got ${show(normalizedShape)}`);
  }
  const k = shape.length;
  if (k > x.ndim || !sameShape(x.shape.slice(x.ndim - k), shape)) {
    throw new ShapeError(`layerNorm: input ${fmtShape(x.shape)} must end in the normalized shape ${fmtShape(shape)}`);
  }
  const w = optionalTensor('layerNorm', 'weight', weight);
  const b = optionalTensor('layerNorm', 'bias', bias);
  for (const [name, t] of [['weight', w], ['bias', b]] as const) {
    if (t && !sameShape(t.shape, shape)) throw new ShapeError(`layerNorm: ${name} must have the normalized shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`);
  }
  const eps = epsOf('layerNorm', options);
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  return traced('layerNorm', inputs, { normalizedShape: [...shape], eps }, () => {
    let y = standardize(x, shape.map((_, i) => x.ndim - k + i), eps).y;
    if (w) y = mul(y, w);
    if (b) y = add(y, b);
    return y;
  });
}

/** [C] → [C, 1, …, 1], so a per-channel vector broadcasts over x [N, C, …]. */
function perChannel(t: Tensor, ndim: number): Tensor {
  return reshape(t, [t.size, ...new Array<number>(Math.max(0, ndim - 2)).fill(1)]);
}

function checkChannelVector(op: string, name: string, t: Tensor | null, c: number): void {
  if (t && (t.ndim !== 1 || t.size !== c)) throw new ShapeError(`${op}: ${name} must be [${c}] (one per channel), got ${fmtShape(t.shape)}`);
}

/**
 * x [N, C, …]: the C channels are split into `numGroups` groups, and each group of each
 * sample is normalised over its channels and positions together; then weight[c]·y + bias[c].
 */
export function groupNorm(x: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, options?: NormOptions): Tensor {
  checkFloat('groupNorm', 'x', checkTensor('groupNorm', 'x', x));
  checkInteger('groupNorm', 'numGroups', numGroups, 1);
  if (x.ndim < 2) throw new ShapeError(`groupNorm: input must be [N, C, …], got ${fmtShape(x.shape)}`);
  const [n, c] = x.shape;
  if (c % numGroups !== 0) throw new ShapeError(`groupNorm: ${numGroups} groups do not divide the ${c} channels of ${fmtShape(x.shape)}`);
  const w = optionalTensor('groupNorm', 'weight', weight);
  const b = optionalTensor('groupNorm', 'bias', bias);
  checkChannelVector('groupNorm', 'weight', w, c);
  checkChannelVector('groupNorm', 'bias', b, c);
  const eps = epsOf('groupNorm', options);
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  return traced('groupNorm', inputs, { numGroups, eps }, () => {
    const grouped = reshape(x, [n, numGroups, x.size === 0 ? 0 : x.size / (n * numGroups)]);
    let y = reshape(standardize(grouped, [2], eps).y, x.shape);
    if (w) y = mul(y, perChannel(w, x.ndim));
    if (b) y = add(y, perChannel(b, x.ndim));
    return y;
  });
}

/**
 * Batch normalisation of x [N, C] or [N, C, …] per channel. In training (or with no running
 * statistics) it normalises by the batch's mean and biased variance over N and every
 * position, and — when running statistics are given — updates them in place:
 *   runningMean ← (1 − momentum)·runningMean + momentum·mean
 *   runningVar  ← (1 − momentum)·runningVar  + momentum·var·n/(n − 1)   (unbiased, n = N·positions)
 * Otherwise it normalises by the running statistics. Then weight[c]·y + bias[c].
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
  weight: Tensor | null = null, bias: Tensor | null = null, options?: BatchNormOptions,
): Tensor {
  checkFloat('batchNorm', 'x', checkTensor('batchNorm', 'x', x));
  if (x.ndim < 2) throw new ShapeError(`batchNorm: input must be [N, C] or [N, C, …], got ${fmtShape(x.shape)}`);
  const c = x.shape[1];
  const rm = optionalTensor('batchNorm', 'runningMean', runningMean);
  const rv = optionalTensor('batchNorm', 'runningVar', runningVar);
  if ((rm === null) !== (rv === null)) throw new TypeError('batchNorm: give both runningMean and runningVar, or neither');
  const w = optionalTensor('batchNorm', 'weight', weight);
  const b = optionalTensor('batchNorm', 'bias', bias);
  for (const [name, t] of [['runningMean', rm], ['runningVar', rv], ['weight', w], ['bias', b]] as const) checkChannelVector('batchNorm', name, t, c);
  const eps = epsOf('batchNorm', options, ['eps', 'training', 'momentum']);
  const training = options?.training ?? false;
  if (typeof training !== 'boolean') throw new TypeError(`batchNorm: training must be true or false, got ${show(training)}`);
  const momentum = options?.momentum ?? 0.1;
  checkNumber('batchNorm', 'momentum', momentum);
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`batchNorm: momentum must be in [0, 1], got ${momentum}`);
  const useBatch = training || rm === null;
  const count = x.size / c;
  if (useBatch && count <= 1) {
    throw new ShapeError(`batchNorm: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
  }
  const inputs = [x, ...(rm && rv ? [rm, rv] : []), ...(w ? [w] : []), ...(b ? [b] : [])];
  return traced('batchNorm', inputs, { training: useBatch, momentum, eps }, () => {
    if (!useBatch) {
      // y = x·scale + shift with scale = w/√(rv + eps), shift = b − rm·scale: two passes over x.
      let scale = div(1, sqrt(add(rv!, eps)));
      if (w) scale = mul(scale, w);
      let shift = mul(rm!, scale);
      shift = b ? sub(b, shift) : mul(shift, -1);
      return add(mul(x, perChannel(scale, x.ndim)), perChannel(shift, x.ndim));
    }
    const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const updateRunning = (m: Tensor, v: Tensor) => {
      if (!training || !rm || !rv) return;
      noGrad(() => {
        const newMean = add(mul(rm, 1 - momentum), mul(reshape(m, [c]), momentum));
        const newVar = add(mul(rv, 1 - momentum), mul(reshape(v, [c]), (momentum * count) / (count - 1)));
        rm.storage = newMean.storage;
        rv.storage = newVar.storage;
      });
    };
    if (isTracing()) {
      // An export (src/onnx) writes what it traces op by op, so it gets the composed form;
      // the fused one below is tested against it (test/nn/normalization.test.ts).
      const { y: normed, m, v } = standardize(x, axes, eps);
      updateRunning(m, v);
      let y = normed;
      if (w) y = mul(y, perChannel(w, x.ndim));
      if (b) y = add(y, perChannel(b, x.ndim));
      return y;
    }
    const { y, m, v, invStd, scale } = noGrad(() => batchStatsForward(x, axes, w, b, eps));
    updateRunning(m, v);
    return record('batchNorm', y, [x, w, b], (dy, needs) => {
      // x̂ = (x − m)·invStd, y = x̂·w + b, every sum over the batch and the positions (M terms):
      //   db = Σ dy    dw = Σ dy·x̂    dx = w·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M)
      const sumDy = sum(dy, axes, true);
      const sumDyXhat = sum(pointwise('batchNorm.grad', 'dy * (x - m) * i', { dy, x, m, i: invStd }), axes, true);
      const dx = needs[0]
        ? pointwise('batchNorm.grad', '(dy - a - (x - m) * k) * s', { dy, x, m, a: div(sumDy, count), k: div(mul(sumDyXhat, invStd), count), s: scale })
        : null;
      return [dx, needs[1] ? reshape(sumDyXhat, [c]) : null, needs[2] ? reshape(sumDy, [c]) : null];
    });
  });
}

/**
 * batchNorm's forward in training: the batch's mean m and biased variance v per channel, and
 * y = (x − m)·scale + shift with scale = w/√(v + eps) and shift = b, in four passes over x
 * (two sums, the centred squares, y). Composed of mean, sub, mul, sqrt and add (standardize,
 * then the affine ops), it took eleven passes and kept five full-size temporaries for its
 * backward; batchNorm records its own backward instead, four passes again. A ResNet-14
 * training step (batch 128, examples/cifar10-resnet.ts's model, 2 threads) went 0.98–1.04 s →
 * 0.53–0.54 s with it.
 */
function batchStatsForward(x: Tensor, axes: number[], w: Tensor | null, b: Tensor | null, eps: number) {
  const m = mean(x, axes, true);
  const v = mean(pointwise('batchNorm', '(x - m) * (x - m)', { x, m }), axes, true);
  const invStd = pointwise('batchNorm', '1 / sqrt(v + eps)', { v, eps });
  const scale = w ? mul(invStd, perChannel(w, x.ndim)) : invStd;
  const y = pointwise('batchNorm', '(x - m) * s + t', { x, m, s: scale, t: b ? perChannel(b, x.ndim) : 0 });
  return { y, m, v, invStd, scale };
}
