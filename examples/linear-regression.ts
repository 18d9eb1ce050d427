/**
 * The classic first model: y = W·x + b, fitted by mean squared error with each of the
 * five classic optimizers (and AdamW), side by side against the exact least-squares answer.
 *
 * Data: 1 000 points x ∈ R³ drawn from N(0, 1), y = 2x₁ − 3.4x₂ + 1.7x₃ + 4.2 + noise(σ 0.01).
 * Each optimizer trains its own Dense(3, 1) from the same initial weights, with the plain
 * loop every framework shares: zeroGrad → forward → loss → backward → step.
 *
 *   npx tsx examples/linear-regression.ts           # 20 epochs per optimizer, table + runs/linear-regression/loss.svg
 *   npx tsx examples/linear-regression.ts --quick   # (or TSGRAD_QUICK=1) 2 epochs, for tests
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tg from 'tsgrad';
import { lineChart } from './lib/svg-plot.ts';

const quick = process.argv.includes('--quick') || process.env.TSGRAD_QUICK === '1';
const EPOCHS = quick ? 2 : 20;
const BATCH = 32;
const TRUE_W = [2, -3.4, 1.7];
const TRUE_B = 4.2;

// ---- data
tg.manualSeed(0);
const N = 1000;
const X = tg.randn([N, 3]);
const noise = tg.randn([N, 1]).mul(0.01);
const Y = X.matmul(tg.tensor([TRUE_W]).transpose()).add(TRUE_B).add(noise); // [N, 1]

/** Exact least squares by the normal equations in float64, as the yardstick. */
function leastSquares(): { w: number[]; b: number } {
  const x = X.data, y = Y.data;
  // Augment x with a 1 for the bias and solve (AᵀA) θ = Aᵀy by Gaussian elimination.
  const M = Array.from({ length: 4 }, () => new Array(5).fill(0));
  for (let i = 0; i < N; i++) {
    const a = [x[i * 3], x[i * 3 + 1], x[i * 3 + 2], 1];
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) M[r][c] += a[r] * a[c];
      M[r][4] += a[r] * y[i];
    }
  }
  for (let p = 0; p < 4; p++) {
    for (let r = p + 1; r < 4; r++) {
      const f = M[r][p] / M[p][p];
      for (let c = p; c < 5; c++) M[r][c] -= f * M[p][c];
    }
  }
  const theta = new Array(4).fill(0);
  for (let r = 3; r >= 0; r--) {
    let s = M[r][4];
    for (let c = r + 1; c < 4; c++) s -= M[r][c] * theta[c];
    theta[r] = s / M[r][r];
  }
  return { w: theta.slice(0, 3), b: theta[3] };
}

// ---- the contenders: learning rates picked per optimizer, as one would in practice
type Optimizer = tg.optim.Optimizer<tg.optim.BaseOptions>;
const contenders: { name: string; make: (p: tg.Tensor[]) => Optimizer }[] = [
  { name: 'SGD (lr 0.03)', make: (p) => new tg.optim.SGD(p, { lr: 0.03 }) },
  { name: 'Momentum (lr 0.01, μ 0.9)', make: (p) => new tg.optim.Momentum(p, { lr: 0.01, momentum: 0.9 }) },
  { name: 'AdaGrad (lr 0.5)', make: (p) => new tg.optim.AdaGrad(p, { lr: 0.5 }) },
  { name: 'RMSprop (lr 0.01)', make: (p) => new tg.optim.RMSprop(p, { lr: 0.01 }) },
  { name: 'Adam (lr 0.05)', make: (p) => new tg.optim.Adam(p, { lr: 0.05 }) },
  { name: 'AdamW (lr 0.05, wd 0.01)', make: (p) => new tg.optim.AdamW(p, { lr: 0.05, weightDecay: 0.01 }) },
];

tg.manualSeed(1);
const initial = new tg.nn.Dense(3, 1).stateDict();
const data = { images: X, labels: new Int32Array(N).map((_, i) => i) }; // labels carry the row index
const lossFn = new tg.nn.MSELoss();
const rows: { name: string; mse: number; w: number[]; b: number; curve: number[] }[] = [];
const initialMse = (() => {
  const m = new tg.nn.Dense(3, 1);
  m.loadStateDict(initial);
  return tg.noGrad(() => lossFn.forward(m.forward(X), Y).item());
})();

for (const { name, make } of contenders) {
  const model = new tg.nn.Dense(3, 1);
  model.loadStateDict(initial);
  const opt = make(model.parameters());
  const loader = new tg.data.DataLoader(data, { batchSize: BATCH, shuffle: true, seed: 2 });
  const curve: number[] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (const { x, y: rowIds } of loader) {
      const target = new tg.Tensor(Float32Array.from(rowIds, (i) => Y.data[i]), [rowIds.length, 1]);
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), target);
      loss.backward();
      opt.step();
    }
    curve.push(tg.noGrad(() => lossFn.forward(model.forward(X), Y).item()));
  }
  rows.push({ name, mse: curve[curve.length - 1], w: Array.from(model.weight.data), b: model.bias!.data[0], curve });
}

// ---- results side by side
const exact = leastSquares();
const f = (v: number) => v.toFixed(4).padStart(8);
console.log(`y = W·x + b on ${N} points, ${EPOCHS} epochs of batch ${BATCH}; true W = [${TRUE_W}], b = ${TRUE_B}\n`);
console.log(`${'optimizer'.padEnd(28)}${'MSE'.padStart(10)}   ${'W'.padEnd(28)}${'b'.padStart(8)}   |θ − θ_lsq|`);
const dist = (w: number[], b: number) => Math.hypot(...w.map((v, i) => v - exact.w[i]), b - exact.b);
for (const r of rows) {
  console.log(`${r.name.padEnd(28)}${r.mse.toExponential(2).padStart(10)}   [${r.w.map(f).join(',')}]${f(r.b)}   ${dist(r.w, r.b).toExponential(1)}`);
}
const exactMse = (() => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    const pred = exact.w.reduce((acc, w, k) => acc + w * X.data[i * 3 + k], exact.b);
    s += (pred - Y.data[i]) ** 2;
  }
  return s / N;
})();
console.log(`${'(initial weights)'.padEnd(28)}${initialMse.toExponential(2).padStart(10)}`);
console.log(`${'least squares (exact)'.padEnd(28)}${exactMse.toExponential(2).padStart(10)}   [${exact.w.map(f).join(',')}]${f(exact.b)}`);

if (!quick) {
  mkdirSync('runs/linear-regression', { recursive: true });
  const svg = lineChart({
    series: rows.map((r) => ({ name: r.name, xs: r.curve.map((_, i) => i + 1), ys: r.curve })),
    title: 'Linear regression: MSE per epoch', xLabel: 'epoch', yLabel: 'MSE', logY: true,
  });
  writeFileSync('runs/linear-regression/loss.svg', svg);
  console.log('\nwrote runs/linear-regression/loss.svg');
}
