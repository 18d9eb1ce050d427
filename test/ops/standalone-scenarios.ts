/**
 * What standalone.test.ts runs for each src/ops file, imported alone: every exported function
 * called, forward values and gradients checked against closed forms. Functions arrive through
 * the fresh module (`m`) and tensors are made with that module graph's own Tensor class.
 */
import { expect } from 'vitest';
import type { Tensor as TensorType } from '../../src/tensor/tensor.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Module = Record<string, any>;
type T = TensorType;

export interface Env {
  /** A float32 tensor (or of `dtype`) from flat values, in the fresh graph. */
  t(values: number[], shape?: number[], opts?: { dtype?: 'float32' | 'int32' | 'bool'; requiresGrad?: boolean }): T;
  /** A leaf that requires a gradient. */
  leaf(values: number[], shape?: number[]): T;
  /** Runs backward from y with a gradient of ones (or `dy`) and returns each input's gradient values. */
  grads(y: T, inputs: T[], dy?: number[]): number[][];
  /** The fresh graph's own modules, for set-up only (creating tensors, seeding). */
  Tensor: new (s: Float32Array | Int32Array | Uint8Array, shape: number[], o?: object) => T;
  manualSeed(seed: number): void;
}

const near = (a: ArrayLike<number>, b: ArrayLike<number>, label: string) => {
  expect(a.length, label).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i]), `${label}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(b[i])));
};
const vals = (t: T) => Array.from(t.data);
const sig = (v: number) => 1 / (1 + Math.exp(-v));

export const SCENARIOS: Record<string, (m: Module, env: Env) => void> = {
  'activation.ts': (m, { leaf, grads }) => {
    const xs = [-1.5, 0.5, 2];
    const check = (name: string, f: (x: T) => T, y: (v: number) => number, dy: (v: number) => number) => {
      const x = leaf(xs);
      const out = f(x);
      near(vals(out), xs.map(y), `${name} forward`);
      near(grads(out, [x])[0], xs.map(dy), `${name} backward`);
    };
    const phi = (v: number) => Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    check('relu', m.relu, (v) => Math.max(v, 0), (v) => (v > 0 ? 1 : 0));
    check('sigmoid', m.sigmoid, sig, (v) => sig(v) * (1 - sig(v)));
    check('tanh', m.tanh, Math.tanh, (v) => 1 - Math.tanh(v) ** 2);
    check('leakyRelu', (x) => m.leakyRelu(x, 0.1), (v) => (v > 0 ? v : 0.1 * v), (v) => (v > 0 ? 1 : 0.1));
    check('elu', m.elu, (v) => (v > 0 ? v : Math.expm1(v)), (v) => (v > 0 ? 1 : Math.exp(v)));
    check('silu', m.silu, (v) => v * sig(v), (v) => sig(v) * (1 + v * (1 - sig(v))));
    check('softplus', m.softplus, (v) => Math.log1p(Math.exp(v)), sig);
    check('logSigmoid', m.logSigmoid, (v) => Math.log(sig(v)), (v) => 1 - sig(v));
    const x = leaf(xs);
    const g = m.gelu(x);
    near(grads(g, [x])[0], xs.map((v) => 0.5 * (1 + erfSmall(v / Math.SQRT2)) + v * phi(v)), 'gelu backward');
  },

  'arithmetic.ts': (m, { leaf, t, grads }) => {
    const a = () => leaf([1, 2, 4]), b = () => leaf([4, 5, 8]);
    let x = a(), y = b();
    near(grads(m.add(x, y), [x, y]).flat(), [1, 1, 1, 1, 1, 1], 'add');
    x = a(); y = b();
    near(grads(m.sub(x, y), [x, y]).flat(), [1, 1, 1, -1, -1, -1], 'sub');
    x = a(); y = b();
    near(grads(m.mul(x, y), [x, y]).flat(), [4, 5, 8, 1, 2, 4], 'mul');
    x = a(); y = b();
    near(grads(m.div(x, y), [x, y]).flat(), [1 / 4, 1 / 5, 1 / 8, -1 / 16, -2 / 25, -4 / 64], 'div');
    x = a();
    near(grads(m.pow(x, 3), [x])[0], [3, 12, 48], 'pow');
    x = a();
    near(grads(m.neg(x), [x])[0], [-1, -1, -1], 'neg');
    x = a();
    near(grads(m.clone(x), [x])[0], [1, 1, 1], 'clone');
    expect(vals(m.cast(t([-1.5, 2.7]), 'int32'))).toEqual([-1, 2]);
  },

  'attention.ts': (m, { leaf, grads }) => {
    expect(vals(m.causalMask(2, 3))).toEqual([0, 1, 1, 0, 0, 1]);
    // q·kᵀ = 0 (k is zero): query 0 sees key 0 alone (causal), query 1 both keys equally.
    const q = leaf([1, 0, 0, 1], [2, 2]), k = leaf([0, 0, 0, 0], [2, 2]), v = leaf([1, 2, 3, 4], [2, 2]);
    const [out, w] = m.attention(q, k, v, { attnMask: m.causalMask(2) });
    expect(vals(w)).toEqual([1, 0, 0.5, 0.5]);
    near(vals(out), [1, 2, 2, 3], 'attention output');
    // dL/dw = v·1 = [3, 7] per row; softmax's backward leaves row 0 zero and gives row 1
    // [−1, 1]; dk_j = scale·Σ_i ds_ij·q_i with q_1 = [0, 1] and scale 1/√2; dq = ds·k = 0.
    const s2 = Math.SQRT1_2;
    near(grads(out, [q, k, v]).flat(), [0, 0, 0, 0, 0, -s2, 0, s2, 1.5, 1.5, 0.5, 0.5], 'attention backward');
  },

  'broadcast.ts': (m, { t }) => {
    expect(m.broadcastedAxes([3], [2, 3])).toEqual([0]);
    expect(m.broadcastAll('op', [[2, 1], [3]])).toEqual([2, 3]);
    expect(vals(m.sumToShape(t([1, 2, 3, 4, 5, 6], [2, 3]), [3]))).toEqual([5, 7, 9]);
  },

  'compare.ts': (m, { t, leaf, grads }) => {
    const x = t([1, 2, 3]);
    expect(['eq', 'ne', 'lt', 'le', 'gt', 'ge'].map((op) => vals(m[op](x, 2)))).toEqual([[0, 1, 0], [1, 0, 1], [1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1]]);
    expect(vals(m.logicalNot(m.gt(x, 1)))).toEqual([1, 0, 0]);
    const c = m.gt(x, 1);
    const a = leaf([1, 1, 1]), b = leaf([2, 2, 2]);
    const w = m.where(c, a, b);
    expect(vals(w)).toEqual([2, 1, 1]);
    expect(grads(w, [a, b])).toEqual([[0, 1, 1], [1, 0, 0]]);
    const z = leaf([5, 6, 7]);
    const f = m.maskedFill(z, c, 0);
    expect(vals(f)).toEqual([5, 0, 0]);
    expect(grads(f, [z])).toEqual([[1, 0, 0]]);
  },

  'conv.ts': (m, { leaf, grads }) => {
    const x = leaf([1, 2, 3, 4], [1, 1, 2, 2]), w = leaf([2], [1, 1, 1, 1]), b = leaf([1]);
    expect(m.conv2dGeometry(x, w)).toMatchObject({ oh: 2, ow: 2 });
    const y = m.conv2d(x, w, b);
    expect(vals(y)).toEqual([3, 5, 7, 9]);
    expect(grads(y, [x, w, b])).toEqual([[2, 2, 2, 2], [10], [4]]);
    // conv outputs 3, −3, 7, −7: the ReLU keeps the 1st and 3rd, and so does the gradient.
    const x2 = leaf([1, -2, 3, -4], [1, 1, 2, 2]), w2 = leaf([2], [1, 1, 1, 1]), b2 = leaf([1]);
    const r = m.conv2dRelu(x2, w2, b2);
    expect(vals(r)).toEqual([3, 0, 7, 0]);
    expect(grads(r, [x2, w2, b2])).toEqual([[2, 0, 2, 0], [4], [2]]);
  },

  'conv-transpose.ts': (m, { leaf, grads }) => {
    // Each input pixel stamps x·w at stride 2: [1, 2] through a 2×2 kernel gives a 2×4 image.
    const x = leaf([1, 2], [1, 1, 1, 2]), w = leaf([1, 2, 3, 4], [1, 1, 2, 2]), b = leaf([0.5]);
    const y = m.convTranspose2d(x, w, b, { stride: 2 });
    expect(y.shape).toEqual([1, 1, 2, 4]);
    near(vals(y), [1.5, 2.5, 2.5, 4.5, 3.5, 4.5, 6.5, 8.5], 'convTranspose2d');
    expect(grads(y, [x, w, b])).toEqual([[10, 10], [3, 3, 3, 3], [8]]);
  },

  'conv1d.ts': (m, { leaf, grads }) => {
    const x = leaf([1, 2, 3], [1, 1, 3]), w = leaf([1, -1], [1, 1, 2]), b = leaf([0.5]);
    const y = m.conv1d(x, w, b);
    expect(vals(y)).toEqual([-0.5, -0.5]);
    expect(grads(y, [x, w, b])).toEqual([[1, 0, -1], [3, 5], [2]]);
  },

  'dropout.ts': (m, { leaf, grads, manualSeed }) => {
    expect(m.checkDropoutP('dropout', 0.5)).toBe(0.5);
    manualSeed(3);
    const x = leaf([1, 2, 3, 4, 5, 6, 7, 8]);
    const y = m.dropout(x, 0.5);
    const yv = vals(y);
    yv.forEach((v, i) => expect([0, 2 * (i + 1)]).toContain(v));
    expect(grads(y, [x])[0]).toEqual(yv.map((v, i) => v / (i + 1)));
  },

  'embedding.ts': (m, { t, leaf, grads }) => {
    expect(m.checkPaddingIdx('embedding', -1, 5)).toBe(4);
    expect(m.checkPaddingIdx('embedding', undefined, 5)).toBe(null);
    const w = leaf([1, 2, 3, 4, 5, 6], [3, 2]);
    const y = m.embedding(t([0, 2, 2], [3], { dtype: 'int32' }), w, { paddingIdx: 0 });
    expect(vals(y)).toEqual([1, 2, 5, 6, 5, 6]);
    // row 2 is looked up twice (its gradients add); the padding row gets none
    expect(grads(y, [w])[0]).toEqual([0, 0, 0, 0, 2, 2]);
  },

  'index.ts': (m, { leaf, grads }) => {
    // The public op table attaches the methods by design.
    const x = leaf([1, 2]);
    const y = (x as any).mul(3).add(m.exp(x));
    near(grads(y, [x])[0], [3 + Math.E, 3 + Math.exp(2)], 'x·3 + eˣ');
  },

  'indexing.ts': (m, { t, leaf, grads }) => {
    const idx = t([2, 0, 2], undefined, { dtype: 'int32' });
    let x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(grads(m.narrow(x, 1, 1, 2), [x])[0]).toEqual([0, 1, 1, 0, 1, 1]);
    x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(grads(m.select(x, 0, -1), [x])[0]).toEqual([0, 0, 0, 1, 1, 1]);
    x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
    const s = m.indexSelect(x, 1, idx);
    expect(vals(s)).toEqual([3, 1, 3, 6, 4, 6]);
    expect(grads(s, [x])[0]).toEqual([1, 0, 2, 1, 0, 2]);
    x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
    const g = m.gather(x, 1, t([0, 0, 2, 1], [2, 2], { dtype: 'int32' }));
    expect(vals(g)).toEqual([1, 1, 6, 5]);
    expect(grads(g, [x])[0]).toEqual([2, 0, 0, 0, 1, 1]);
  },

  'join.ts': (m, { leaf, grads }) => {
    let a = leaf([1, 2]), b = leaf([3]);
    const c = m.cat([a, b], 0);
    expect(vals(c)).toEqual([1, 2, 3]);
    expect(grads(c, [a, b], [5, 6, 7])).toEqual([[5, 6], [7]]);
    a = leaf([1, 2]); b = leaf([3, 4]);
    expect(grads(m.stack([a, b], 1), [a, b], [1, 2, 3, 4])).toEqual([[1, 3], [2, 4]]);
    const x = leaf([1, 2, 3, 4, 5]);
    const parts = m.split(x, 2);
    expect(parts.map((p: T) => p.shape)).toEqual([[2], [2], [1]]);
    expect(grads(parts[2], [x])[0]).toEqual([0, 0, 0, 0, 1]);
    const y = leaf([1, 2, 3, 4]);
    expect(grads(m.chunk(y, 2)[0], [y])[0]).toEqual([1, 1, 0, 0]);
  },

  'linear.ts': (m, { leaf, grads }) => {
    const x = leaf([1, 2], [1, 2]), w = leaf([1, 0, 3, -1], [2, 2]), b = leaf([0.5, 0]);
    const y = m.linear(x, w, b);
    expect(vals(y)).toEqual([1.5, 1]);
    expect(grads(y, [x, w, b])).toEqual([[4, -1], [1, 2, 1, 2], [1, 1]]);
  },

  'losses.ts': (m, { t, leaf, grads }) => {
    let p = leaf([1, 3]);
    near(grads(m.mseLoss(p, t([0, 0])), [p])[0], [1, 3], 'mse');
    for (const loss of ['l1Loss', 'smoothL1Loss', 'huberLoss']) {
      p = leaf([2, -2]);
      near(grads(m[loss](p, t([0, 0])), [p])[0], [0.5, -0.5], loss);
    }
    p = leaf([0.25, 0.5]);
    near(grads(m.binaryCrossEntropy(p, t([1, 0])), [p])[0], [-2, 1], 'bce');
    p = leaf([0, 0]);
    near(grads(m.binaryCrossEntropyWithLogits(p, t([1, 0])), [p])[0], [-0.25, 0.25], 'bce with logits');
    expect(vals(m.checkLabels('op', [1, 0], 2, 2))).toEqual([1, 0]);
    p = leaf([-1, -2, -3, -4], [2, 2]);
    near(grads(m.nllLoss(p, [1, 0]), [p])[0], [0, -0.5, -0.5, 0], 'nll');
    p = leaf([0, 0, 0, 0], [2, 2]);
    near(grads(m.crossEntropy(p, [1, 0]), [p])[0], [0.25, -0.25, -0.25, 0.25], 'crossEntropy');
  },

  'math.ts': (m, { leaf, grads }) => {
    const xs = [0.5, 1, 2];
    const check = (name: string, f: (x: T) => T, y: (v: number) => number, dy: (v: number) => number) => {
      const x = leaf(xs);
      const out = f(x);
      near(vals(out), xs.map(y), `${name} forward`);
      near(grads(out, [x])[0], xs.map(dy), `${name} backward`);
    };
    check('exp', m.exp, Math.exp, Math.exp);
    check('log', m.log, Math.log, (v) => 1 / v);
    check('log1p', m.log1p, Math.log1p, (v) => 1 / (1 + v));
    check('sqrt', m.sqrt, Math.sqrt, (v) => 0.5 / Math.sqrt(v));
    check('abs', (x) => m.abs(m.sin(x)), (v) => Math.abs(Math.sin(v)), Math.cos);
    check('cos', m.cos, Math.cos, (v) => -Math.sin(v));
    check('erf', m.erf, (v) => erfSmall(v), (v) => 2 / Math.sqrt(Math.PI) * Math.exp(-v * v));
    check('sign', m.sign, Math.sign, () => 0);
    check('clamp', (x) => m.clamp(x, 0.75, 1.5), (v) => Math.min(Math.max(v, 0.75), 1.5), (v) => (v >= 0.75 && v <= 1.5 ? 1 : 0));
    check('maximum', (x) => m.maximum(x, 1.5), (v) => Math.max(v, 1.5), (v) => (v > 1.5 ? 1 : 0));
    check('minimum', (x) => m.minimum(x, 1), (v) => Math.min(v, 1), (v) => (v < 1 ? 1 : v === 1 ? 0.5 : 0));
  },

  'matmul.ts': (m, { leaf, grads }) => {
    const a = leaf([1, 2, 3, 4], [2, 2]), b = leaf([5, 6]);
    const y = m.matmul(a, b);
    expect(vals(y)).toEqual([17, 39]);
    expect(grads(y, [a, b])).toEqual([[5, 6, 5, 6], [4, 6]]);
    const u = leaf([1, 2]), v = leaf([3, 4]);
    const dot = m.matmul(u, v);
    expect(dot.shape).toEqual([]);
    expect(grads(dot, [u, v], [1])).toEqual([[3, 4], [1, 2]]);
  },

  'methods.ts': (_m, { leaf, grads }) => {
    const x = leaf([1, -2]);
    const y = (x as any).mul(2).relu().sum();
    expect(grads(y, [x], [1])[0]).toEqual([2, 0]);
  },

  'norm.ts': (m, { t, leaf, grads }) => {
    // y = (x − mean)/√(var + eps) with the biased variance; dx = (dy − mean(dy) − y·mean(dy·y))/σ.
    const normalize = (xs: number[], eps = 1e-5) => {
      const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sigma = Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / xs.length + eps);
      return { y: xs.map((v) => (v - mu) / sigma), sigma };
    };
    const backward = (y: number[], sigma: number, dy: number[]) => {
      const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
      const mdy = mean(dy), mdyy = mean(dy.map((d, i) => d * y[i]));
      return dy.map((d, i) => (d - mdy - y[i] * mdyy) / sigma);
    };
    const xs = [0, 1, 5], dy = [1, -2, 0.5];
    const { y, sigma } = normalize(xs);
    let x = leaf(xs, [1, 3]);
    let out = m.layerNorm(x, 3);
    near(vals(out), y, 'layerNorm');
    near(grads(out, [x], dy)[0], backward(y, sigma, dy), 'layerNorm backward');
    x = leaf(xs, [1, 3, 1]);
    out = m.groupNorm(x, 1, null, null, { eps: 1e-5 });
    near(vals(out), y, 'groupNorm');
    near(grads(out, [x], dy)[0], backward(y, sigma, dy), 'groupNorm backward');
    // batchNorm in training: the batch's statistics, then weight·y + bias; the running
    // averages move by momentum towards the batch mean and the unbiased batch variance.
    x = leaf(xs, [3, 1]);
    const weight = leaf([2]), bias = leaf([0.5]);
    const runningMean = t([0]), runningVar = t([1]);
    out = m.batchNorm(x, runningMean, runningVar, weight, bias, { training: true, momentum: 0.5 });
    near(vals(out), y.map((v) => 2 * v + 0.5), 'batchNorm');
    near(vals(runningMean), [0.5 * 2], 'running mean');
    // deviations from the mean 2 are −2, −1, 3: Σ² = 14, unbiased 14/2 = 7
    near(vals(runningVar), [0.5 * 1 + 0.5 * 7], 'running variance');
    const [dx, dw, db] = grads(out, [x, weight, bias], dy);
    near(dx, backward(y, sigma, dy).map((v) => 2 * v), 'batchNorm dx');
    near(dw, [dy.reduce((a, d, i) => a + d * y[i], 0)], 'batchNorm dweight');
    near(db, [dy.reduce((a, d) => a + d, 0)], 'batchNorm dbias');
  },

  'pointwise.ts': (m, { t }) => {
    expect(vals(m.pointwise('op', 'x * 2 + y', { x: t([1, 2]), y: 0.5 }))).toEqual([2.5, 4.5]);
    const out = m.pointwiseAll('op', 'a = x + 1\nb = x > 1', { x: t([1, 2]) });
    expect([vals(out.a), out.b.dtype]).toEqual([[2, 3], 'bool']);
  },

  'pool.ts': (m, { leaf, grads }) => {
    const x = leaf([1, 5, 3, 2, 0, 4, 7, 6, 9], [1, 1, 3, 3]);
    expect(m.pool2dGeometry('maxPool2d', x, 2, 1)).toMatchObject({ oh: 2, ow: 2 });
    const y = m.maxPool2d(x, 2, 1);
    expect(vals(y)).toEqual([5, 5, 7, 9]);
    expect(grads(y, [x])[0]).toEqual([0, 2, 0, 0, 0, 0, 1, 0, 1]);
    // 2×2 averages at stride 1: each pixel gets 1/4 from every window that covers it
    const xa = leaf([1, 5, 3, 2, 0, 4, 7, 6, 9], [1, 1, 3, 3]);
    const ya = m.avgPool2d(xa, 2, 1);
    near(vals(ya), [2, 3, 3.75, 4.75], 'avgPool2d');
    near(grads(ya, [xa])[0], [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25], 'avgPool2d backward');
    const xg = leaf([1, 5, 3, 2, 0, 4, 7, 6, 9], [1, 1, 3, 3]);
    const yg = m.adaptiveAvgPool2d(xg, 1);
    near(vals(yg), [37 / 9], 'adaptiveAvgPool2d');
    near(grads(yg, [xg])[0], new Array(9).fill(1 / 9), 'adaptiveAvgPool2d backward');
  },

  'record.ts': (m, { Tensor, leaf, grads }) => {
    // A custom op using its input twice: the engine adds the two gradients (with record's own add).
    const x = leaf([1, 2]);
    const y = new Tensor(Float32Array.from([2, 4]), [2]);
    m.record('double', y, [x, x], (dy: T) => [dy, dy]);
    expect(grads(y, [x], [1, 3])[0]).toEqual([2, 6]);
  },

  'reduce.ts': (m, { leaf, grads }) => {
    const xs = [1, 4, 2, 3];
    const run = (f: (x: T) => T) => { const x = leaf(xs, [2, 2]); const y = f(x); return { y: vals(y), dx: grads(y, [x])[0] }; };
    expect(run((x) => m.sum(x, 1))).toEqual({ y: [5, 5], dx: [1, 1, 1, 1] });
    expect(run((x) => m.mean(x))).toEqual({ y: [2.5], dx: [0.25, 0.25, 0.25, 0.25] });
    expect(run((x) => m.max(x, 0))).toEqual({ y: [2, 4], dx: [0, 1, 1, 0] });
    expect(run((x) => m.min(x))).toEqual({ y: [1], dx: [1, 0, 0, 0] });
    const v = run((x) => m.variance(x, 1));
    near(v.y, [4.5, 0.5], 'var');
    near(v.dx, [-3, 3, -1, 1], 'var backward');
    const s = run((x) => m.std(x));
    near(s.y, [Math.sqrt(5 / 3)], 'std');
    near(s.dx, xs.map((x) => (x - 2.5) / 3 / Math.sqrt(5 / 3)), 'std backward');
    const l = run((x) => m.logsumexp(x, 0));
    near(l.y, [Math.log(Math.E + Math.exp(2)), Math.log(Math.exp(4) + Math.exp(3))], 'logsumexp');
    near(l.dx, [sig(-1), sig(1), sig(1), sig(-1)], 'logsumexp backward');
    const x = leaf(xs, [2, 2]);
    expect([vals(m.argmax(x, 1)), vals(m.argmin(x))]).toEqual([[1, 1], [0]]);
  },

  'softmax.ts': (m, { leaf, grads }) => {
    let x = leaf([0, Math.log(3)]);
    const p = m.softmax(x);
    near(vals(p), [0.25, 0.75], 'softmax');
    near(grads(p, [x], [1, 0])[0], [0.25 * 0.75, -0.25 * 0.75], 'softmax backward');
    x = leaf([0, Math.log(3)]);
    const lp = m.logSoftmax(x);
    near(vals(lp), [Math.log(0.25), Math.log(0.75)], 'logSoftmax');
    near(grads(lp, [x], [1, 0])[0], [0.75, -0.75], 'logSoftmax backward');
  },

  'trace.ts': (m, { t }) => {
    const x = t([1]);
    expect(m.isTracing()).toBe(false);
    const { value, events } = m.trace(() => m.inModule('body', 'Block', () => m.traced('custom', [x], { k: 1 }, () => x)));
    expect(value).toBe(x);
    expect(events.map((e: any) => [e.op, e.module, e.attrs.k])).toEqual([['custom', 'body', 1]]);
  },

  'unbind.ts': (m, { leaf, grads }) => {
    const x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
    const parts = m.unbind(x, 0);
    expect(parts.map((p: T) => [p.shape, vals(p)])).toEqual([[[3], [1, 2, 3]], [[3], [4, 5, 6]]]);
    expect(grads(parts[1], [x])[0]).toEqual([0, 0, 0, 1, 1, 1]);
  },

  'upsample.ts': (m, { leaf, grads }) => {
    let x = leaf([1, 3], [1, 1, 1, 2]);
    let y = m.interpolate(x, { scaleFactor: 2 });
    expect(y.shape).toEqual([1, 1, 2, 4]);
    expect(vals(y)).toEqual([1, 1, 3, 3, 1, 1, 3, 3]);
    expect(grads(y, [x])[0]).toEqual([4, 4]);
    // bilinear with corners aligned: 3 points from 2 are the ends and their midpoint
    x = leaf([1, 3], [1, 1, 1, 2]);
    y = m.interpolate(x, { size: [1, 3], mode: 'bilinear', alignCorners: true });
    near(vals(y), [1, 2, 3], 'bilinear');
    near(grads(y, [x])[0], [1.5, 1.5], 'bilinear backward');
  },

  'view.ts': (m, { leaf, grads }) => {
    const run = (shape: number[], f: (x: T) => T, dy?: number[]) => {
      const x = leaf([1, 2, 3, 4, 5, 6], shape);
      const y = f(x);
      return { shape: y.shape, y: vals(y), dx: grads(y, [x], dy)[0] };
    };
    expect(run([2, 3], (x) => m.reshape(x, [3, 2])).shape).toEqual([3, 2]);
    expect(run([2, 3], (x) => m.flatten(x)).shape).toEqual([6]);
    expect(run([1, 6], (x) => m.squeeze(x)).shape).toEqual([6]);
    expect(run([6], (x) => m.unsqueeze(x, -1)).shape).toEqual([6, 1]);
    expect(run([2, 3], (x) => m.transpose(x), [1, 2, 3, 4, 5, 6])).toEqual({ shape: [3, 2], y: [1, 4, 2, 5, 3, 6], dx: [1, 3, 5, 2, 4, 6] });
    expect(run([1, 2, 3], (x) => m.permute(x, 2, 0, 1)).shape).toEqual([3, 1, 2]);
    expect(run([6, 1], (x) => m.expand(x, [6, 2])).dx).toEqual([2, 2, 2, 2, 2, 2]);
    expect(run([6], (x) => m.repeat(x, 3)).dx).toEqual([3, 3, 3, 3, 3, 3]);
  },
};

/** erf by its Maclaurin series (fine to 1e-12 for |x| ≤ 3). */
function erfSmall(x: number): number {
  let term = x, sum = x;
  for (let n = 1; n < 60; n++) { term *= -x * x / n; sum += term / (2 * n + 1); }
  return sum * 2 / Math.sqrt(Math.PI);
}
