/** LSTM and GRU: float64 re-implementations of the cells, layouts, initial states, gradients, errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

const { nn } = tg;
beforeEach(() => tg.manualSeed(9));

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** W·x + b for W [rows, cols] stored row-major. */
function affine(w: ArrayLike<number>, b: ArrayLike<number> | null, x: number[], rows: number): number[] {
  const cols = x.length;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let s = b ? b[r] : 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    out.push(s);
  }
  return out;
}

type Weights = { ih: tg.Tensor; hh: tg.Tensor; bih: tg.Tensor; bhh: tg.Tensor };

function weightsOf(m: tg.nn.Module, layer: number): Weights {
  const p = Object.fromEntries(m.namedParameters());
  return { ih: p[`weight_ih_l${layer}`], hh: p[`weight_hh_l${layer}`], bih: p[`bias_ih_l${layer}`], bhh: p[`bias_hh_l${layer}`] };
}

/** One float64 LSTM layer over a sequence of vectors (gates i, f, g, o). */
function lstmRef(w: Weights, xs: number[][], h0: number[], c0: number[]): { hs: number[][]; c: number[] } {
  const hsz = h0.length;
  let h = h0, c = c0;
  const hs: number[][] = [];
  for (const x of xs) {
    const a = affine(w.ih.data, w.bih.data, x, 4 * hsz), r = affine(w.hh.data, w.bhh.data, h, 4 * hsz);
    const g = a.map((v, k) => v + r[k]);
    c = c.map((cv, k) => sig(g[hsz + k]) * cv + sig(g[k]) * Math.tanh(g[2 * hsz + k]));
    h = c.map((cv, k) => sig(g[3 * hsz + k]) * Math.tanh(cv));
    hs.push(h);
  }
  return { hs, c };
}

/** One float64 GRU layer (gates r, z, n; the reset gate scales W_hn·h + b_hn). */
function gruRef(w: Weights, xs: number[][], h0: number[]): number[][] {
  const hsz = h0.length;
  let h = h0;
  const hs: number[][] = [];
  for (const x of xs) {
    const a = affine(w.ih.data, w.bih.data, x, 3 * hsz), r = affine(w.hh.data, w.bhh.data, h, 3 * hsz);
    h = h.map((hv, k) => {
      const reset = sig(a[k] + r[k]), update = sig(a[hsz + k] + r[hsz + k]);
      const n = Math.tanh(a[2 * hsz + k] + reset * r[2 * hsz + k]);
      return (1 - update) * n + update * hv;
    });
    hs.push(h);
  }
  return hs;
}

/** x [T, N, F] as per-sample lists of step vectors. */
function sequences(x: tg.Tensor): number[][][] {
  const [t, n, f] = x.shape;
  return Array.from({ length: n }, (_, b) => Array.from({ length: t }, (_, s) => Array.from(x.data.subarray((s * n + b) * f, (s * n + b + 1) * f))));
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) if (!(Math.abs(actual[i] - expected[i]) <= tol)) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
}

describe('LSTM', () => {
  it('two layers with initial states match a float64 LSTM; output is the top layer\'s h, hN/cN every layer\'s last', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
    const x = uniform([5, 2, 3], -2, 2), h0 = uniform([2, 2, 4]), c0 = uniform([2, 2, 4]);
    const [out, [hN, cN]] = lstm.forward(x, [h0, c0]);
    expect(out.shape).toEqual([5, 2, 4]);
    expect(hN.shape).toEqual([2, 2, 4]);
    const wantOut: number[][][] = [], wantH: number[][][] = [[], []], wantC: number[][][] = [[], []];
    sequences(x).forEach((seq, b) => {
      let input = seq;
      for (let l = 0; l < 2; l++) {
        const start = (l * 2 + b) * 4;
        const r = lstmRef(weightsOf(lstm, l), input, Array.from(h0.data.subarray(start, start + 4)), Array.from(c0.data.subarray(start, start + 4)));
        wantH[l][b] = r.hs[r.hs.length - 1];
        wantC[l][b] = r.c;
        input = r.hs;
      }
      wantOut[b] = input;
    });
    const timeMajor: number[] = [];
    for (let t = 0; t < 5; t++) for (let b = 0; b < 2; b++) timeMajor.push(...wantOut[b][t]);
    expectNear(out.data, timeMajor);
    expectNear(hN.data, wantH.flat(2));
    expectNear(cN.data, wantC.flat(2));
  });

  it('batchFirst reads and writes [N, T, F]; missing states are zeros; unbatched [T, F] works', () => {
    const lstm = new nn.LSTM(2, 3);
    const x = uniform([4, 2, 2]);
    const [ref, [h]] = lstm.forward(x, [tg.zeros([1, 2, 3]), tg.zeros([1, 2, 3])]);
    const bf = new nn.LSTM(2, 3, { batchFirst: true });
    bf.loadStateDict(lstm.stateDict());
    const [out] = bf.forward(x.transpose(0, 1));
    expectNear(out.transpose(0, 1).data, ref.data, 1e-6);
    const [single, [h1]] = lstm.forward(x.select(1, 1));
    expect(single.shape).toEqual([4, 3]);
    expect(h1.shape).toEqual([1, 3]);
    expectNear(single.data, ref.select(1, 1).data, 1e-6);
    expectNear(h1.data, h.select(1, 1).data, 1e-6);
  });

  it('gradients through time w.r.t. the input, the initial states and every weight', () => {
    const lstm = new nn.LSTM(2, 2, { numLayers: 2 });
    const [w0, w1] = lstm.parameters();
    gradcheck((x, h, c, a, b) => { void a; void b; const [out, [hN, cN]] = lstm.forward(x, [h, c]); return out.sum().add(hN.mul(cN).sum()).reshape([1]); },
      [uniform([4, 2, 2]), uniform([2, 2, 2]), uniform([2, 2, 2]), w0, w1]);
  });

  it('PyTorch\'s parameter names and shapes, and U(±1/√hidden) initialisation', () => {
    const lstm = new nn.LSTM(10, 20, { numLayers: 2 });
    expect(lstm.namedParameters().map(([n, p]) => `${n}${JSON.stringify(p.shape)}`)).toEqual([
      'weight_ih_l0[80,10]', 'weight_hh_l0[80,20]', 'bias_ih_l0[80]', 'bias_hh_l0[80]',
      'weight_ih_l1[80,20]', 'weight_hh_l1[80,20]', 'bias_ih_l1[80]', 'bias_hh_l1[80]',
    ]);
    const bound = 1 / Math.sqrt(20);
    for (const p of lstm.parameters()) for (const v of p.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(new nn.LSTM(3, 4, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
  });

  it('dropout between layers acts in training only', () => {
    const lstm = new nn.LSTM(3, 8, { numLayers: 2, dropout: 0.5 });
    const x = uniform([3, 2, 3]);
    lstm.eval();
    const a = lstm.forward(x)[0].toArray(), b = lstm.forward(x)[0].toArray();
    expect(a).toEqual(b);
    lstm.train();
    expect(lstm.forward(x)[0].toArray()).not.toEqual(a);
  });

  it('errors name the layer, the shapes and the options', () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
    expect(() => lstm.forward(tg.zeros([5, 2, 4]))).toThrow(/LSTM: input \[5,2,4\] must end in 3 features \(inputSize\)/);
    expect(() => lstm.forward(tg.zeros([5, 2, 3]), [tg.zeros([1, 2, 4]), tg.zeros([2, 2, 4])])).toThrow(/LSTM: h0 must be \[2,2,4\] \(numLayers, batch, hiddenSize\), got \[1,2,4\]/);
    expect(() => lstm.forward(tg.zeros([5, 2, 3]), [tg.zeros([2, 2, 4])] as unknown as [tg.Tensor, tg.Tensor])).toThrow(/initial state must be \[h0, c0\]/);
    expect(() => lstm.forward(tg.zeros([2, 3, 4, 3]))).toThrow(/input must be \[T, N, features\] or unbatched/);
    expect(() => new nn.LSTM(3, 4, { numLayers: 0 })).toThrow(/numLayers must be an integer ≥ 1/);
    expect(() => new nn.LSTM(3, 4, { dropout: 1.5 })).toThrow(/p must be a probability/);
    expect(() => new nn.LSTM(3, 4, { bidirectional: true } as object)).toThrow(/bidirectional layers are not supported/);
  });
});

describe('GRU', () => {
  it('matches a float64 GRU (two layers, initial state)', () => {
    const gru = new nn.GRU(2, 3, { numLayers: 2 });
    const x = uniform([4, 2, 2], -2, 2), h0 = uniform([2, 2, 3]);
    const [out, hN] = gru.forward(x, h0);
    const tops: number[][][] = [], lasts: number[][][] = [[], []];
    sequences(x).forEach((seq, b) => {
      let input = seq;
      for (let l = 0; l < 2; l++) {
        const start = (l * 2 + b) * 3;
        input = gruRef(weightsOf(gru, l), input, Array.from(h0.data.subarray(start, start + 3)));
        lasts[l][b] = input[input.length - 1];
      }
      tops[b] = input;
    });
    const timeMajor: number[] = [];
    for (let t = 0; t < 4; t++) for (let b = 0; b < 2; b++) timeMajor.push(...tops[b][t]);
    expectNear(out.data, timeMajor);
    expectNear(hN.data, lasts.flat(2));
  });

  it('gradients through time, and errors', () => {
    const gru = new nn.GRU(2, 3, { batchFirst: true });
    gradcheck((x, h, w) => { void w; const [out, hN] = gru.forward(x, h); return out.sum().add(hN.sum()).reshape([1]); },
      [uniform([2, 3, 2]), uniform([1, 2, 3]), gru.parameters()[1]]);
    expect(() => gru.forward(tg.zeros([2, 3, 2]), tg.zeros([1, 3, 3]))).toThrow(/GRU: h0 must be \[1,2,3\]/);
    expect(() => gru.forward(tg.zeros([2, 0, 2]))).toThrow(/has no time steps/);
  });
});
