/**
 * CPU optimizer kernels: each is one loop over Float32Arrays that reads the parameter, its
 * gradient and its state once and writes parameter and state back in place. Per-step
 * choices (first step, Nesterov, decoupled decay) are folded into coefficients before the
 * loop so the loop body has no branches on them and allocates nothing.
 */
import type {
  AdagradStepOptions, AdagradStepResult, AdamStepOptions, AdamStepResult, OptimKernels,
  RmspropStepOptions, RmspropStepResult, SgdStepOptions, SgdStepResult,
} from '../optim-kernels.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';

function required(kernel: string, name: string, s: Storage | null): Float32Array {
  if (s === null) throw new Error(`${kernel}: the '${name}' buffer is required with these options`);
  return toHost(s);
}

/** SGD with momentum, dampening, Nesterov and L2 weight decay (also runs `Momentum`). */
export function sgdStep(param: Storage, grad: Storage, momentumBuffer: Storage | null, o: SgdStepOptions): SgdStepResult {
  const p = toHost(param);
  const g = toHost(grad);
  const n = p.length;
  const lr = o.lr;
  const wd = o.weightDecay;
  const mu = o.momentum;
  if (mu === 0) {
    for (let i = 0; i < n; i++) {
      const pi = p[i];
      p[i] = pi - lr * (g[i] + wd * pi);
    }
    return { param: p, momentumBuffer };
  }
  const b = required('sgdStep', 'momentumBuffer', momentumBuffer);
  // b ← keep·b + inject·g covers both b ← g (first step) and b ← μb + (1 − τ)g.
  const inject = o.firstStep ? 1 : 1 - o.dampening;
  const keep = o.firstStep ? 0 : mu;
  // d ← cb·b + cg·g covers both d = b and Nesterov's d = μb + (1 − τ)g.
  const cb = o.nesterov ? mu : 1;
  const cg = o.nesterov ? 1 - o.dampening : 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const gi = g[i] + wd * pi;
    const bi = keep * b[i] + inject * gi;
    b[i] = bi;
    p[i] = pi - lr * (cb * bi + cg * gi);
  }
  return { param: p, momentumBuffer: b };
}

/** AdaGrad with L2 weight decay; the caller passes the already-decayed learning rate. */
export function adagradStep(param: Storage, grad: Storage, sum: Storage, o: AdagradStepOptions): AdagradStepResult {
  const p = toHost(param);
  const g = toHost(grad);
  const s = toHost(sum);
  const n = p.length;
  const { lr, weightDecay: wd, eps } = o;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const gi = g[i] + wd * pi;
    const si = s[i] + gi * gi;
    s[i] = si;
    p[i] = pi - (lr * gi) / (Math.sqrt(si) + eps);
  }
  return { param: p, sum: s };
}

/** RMSprop, optionally centered and with momentum, with L2 weight decay. */
export function rmspropStep(
  param: Storage, grad: Storage, squareAvg: Storage, gradAvg: Storage | null, momentumBuffer: Storage | null,
  o: RmspropStepOptions,
): RmspropStepResult {
  const p = toHost(param);
  const g = toHost(grad);
  const v = toHost(squareAvg);
  const n = p.length;
  const { lr, alpha, eps, weightDecay: wd, momentum: mu } = o;
  const oneMinusAlpha = 1 - alpha;
  // Unused buffers are aliased to `v` so the loop can read them unconditionally; the
  // coefficients below make their contribution zero and their writes are skipped.
  const ga = o.centered ? required('rmspropStep', 'gradAvg', gradAvg) : v;
  const b = mu > 0 ? required('rmspropStep', 'momentumBuffer', momentumBuffer) : v;
  const centered = o.centered;
  const useMomentum = mu > 0;
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const gi = g[i] + wd * pi;
    const vi = alpha * v[i] + oneMinusAlpha * gi * gi;
    v[i] = vi;
    let variance = vi;
    if (centered) {
      const ai = alpha * ga[i] + oneMinusAlpha * gi;
      ga[i] = ai;
      // v ≥ ḡ² holds exactly, but rounding can push the difference a hair below zero.
      variance = Math.max(vi - ai * ai, 0);
    }
    const d = gi / (Math.sqrt(variance) + eps);
    if (useMomentum) {
      const bi = mu * b[i] + d;
      b[i] = bi;
      p[i] = pi - lr * bi;
    } else {
      p[i] = pi - lr * d;
    }
  }
  return {
    param: p,
    squareAvg: v,
    gradAvg: centered ? ga : gradAvg,
    momentumBuffer: useMomentum ? b : momentumBuffer,
  };
}

/** Adam (L2 weight decay) and AdamW (decoupled weight decay), with optional AMSGrad. */
export function adamStep(
  param: Storage, grad: Storage, expAvg: Storage, expAvgSq: Storage, maxExpAvgSq: Storage | null,
  o: AdamStepOptions,
): AdamStepResult {
  const p = toHost(param);
  const g = toHost(grad);
  const m = toHost(expAvg);
  const v = toHost(expAvgSq);
  const n = p.length;
  const { lr, beta1, beta2, eps } = o;
  const l2 = o.decoupled ? 0 : o.weightDecay;
  const shrink = o.decoupled ? 1 - lr * o.weightDecay : 1;
  const stepSize = lr / o.biasCorrection1;
  const invBc2Sqrt = 1 / Math.sqrt(o.biasCorrection2);
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  if (o.amsgrad) {
    const vmax = required('adamStep', 'maxExpAvgSq', maxExpAvgSq);
    for (let i = 0; i < n; i++) {
      const pi = p[i];
      const gi = g[i] + l2 * pi;
      const mi = beta1 * m[i] + oneMinusBeta1 * gi;
      const vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const vmi = vmax[i] > vi ? vmax[i] : vi;
      vmax[i] = vmi;
      p[i] = pi * shrink - (stepSize * mi) / (Math.sqrt(vmi) * invBc2Sqrt + eps);
    }
    return { param: p, expAvg: m, expAvgSq: v, maxExpAvgSq: vmax };
  }
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const gi = g[i] + l2 * pi;
    const mi = beta1 * m[i] + oneMinusBeta1 * gi;
    const vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi * shrink - (stepSize * mi) / (Math.sqrt(vi) * invBc2Sqrt + eps);
  }
  return { param: p, expAvg: m, expAvgSq: v, maxExpAvgSq };
}

/** The cpu backend's optimizer kernels, spread into the backend object. */
export const optimKernels: OptimKernels = { sgdStep, adagradStep, rmspropStep, adamStep };
