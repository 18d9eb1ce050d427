/** Attention, MultiheadAttention and TransformerEncoderLayer: float64 references, masks, modes, gradients, errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck, uniform } from '../helpers/gradcheck.ts';

const { nn } = tg;
const F = nn.functional;
beforeEach(() => tg.manualSeed(13));

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) expect.fail(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** x [rows, in] · W[rows0…]ᵀ + b in float64. */
function project(x: number[][], w: ArrayLike<number>, b: ArrayLike<number> | null, offset: number, dim: number): number[][] {
  const inF = x[0].length;
  return x.map((row) => Array.from({ length: dim }, (_, o) => {
    let s = b ? b[offset + o] : 0;
    for (let i = 0; i < inF; i++) s += w[(offset + o) * inF + i] * row[i];
    return s;
  }));
}

/**
 * Multi-head attention for one batch entry in float64: q [L, E], k and v [S, E]; masked(l, s)
 * true removes a key. Returns the output [L, E] and the head-averaged weights [L, S].
 */
function mhaRef(m: tg.nn.MultiheadAttention, q: number[][], k: number[][], v: number[][], masked: (l: number, s: number) => boolean) {
  const e = m.embedDim, h = m.numHeads, d = e / h;
  const w = m.in_proj_weight.data, b = m.in_proj_bias!.data;
  const Q = project(q, w, b, 0, e), K = project(k, w, b, e, e), V = project(v, w, b, 2 * e, e);
  const joined = q.map(() => new Array<number>(e).fill(0));
  const avg = q.map(() => new Array<number>(k.length).fill(0));
  for (let head = 0; head < h; head++) {
    for (let l = 0; l < q.length; l++) {
      const scores = K.map((kr, s) => {
        if (masked(l, s)) return -Infinity;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += Q[l][head * d + j] * kr[head * d + j];
        return dot / Math.sqrt(d);
      });
      const mx = Math.max(...scores);
      const ex = scores.map((x) => Math.exp(x - mx));
      const z = ex.reduce((a, c) => a + c);
      ex.forEach((x, s) => {
        avg[l][s] += x / z / h;
        for (let j = 0; j < d; j++) joined[l][head * d + j] += (x / z) * V[s][head * d + j];
      });
    }
  }
  return { out: project(joined, m.out_proj.weight.data, m.out_proj.bias!.data, 0, e), weights: avg };
}

const rows = (t: tg.Tensor): number[][] => t.toArray() as number[][];

describe('attention (functional)', () => {
  it('softmax(q·kᵀ/√E)·v on a hand-sized case; a bool mask removes keys, a float mask adds to scores', () => {
    const q = tg.tensor([[1, 0]]), k = tg.tensor([[1, 0], [0, 1]]), v = tg.tensor([[10, 0], [0, 10]]);
    const w1 = Math.exp(1 / Math.SQRT2) / (Math.exp(1 / Math.SQRT2) + 1);
    const [out, weights] = F.attention(q, k, v);
    expectNear(weights.data, [w1, 1 - w1]);
    expectNear(out.data, [10 * w1, 10 * (1 - w1)]);
    expectNear(F.attention(q, k, v, { attnMask: tg.tensor([[false, true]]) })[0].data, [10, 0]);
    const shifted = F.attention(q, k, v, { attnMask: tg.tensor([[0, 1 / Math.SQRT2]]) })[1];
    expectNear(shifted.data, [0.5, 0.5]);
  });

  it('causalMask(n) is true above the diagonal', () => {
    expect(F.causalMask(3).toArray()).toEqual([[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
  });

  it('gradients w.r.t. q, k, v and a float mask', () => {
    gradcheck((q, k, v, m) => F.attention(q, k, v, { attnMask: m })[0], [uniform([2, 3, 4]), uniform([2, 5, 4]), uniform([2, 5, 2]), uniform([3, 5])]);
  });
});

describe('MultiheadAttention', () => {
  it('self-attention with a causal mask and a padding mask matches float64 multi-head attention', () => {
    const mha = new nn.MultiheadAttention(8, 2);
    mha.in_proj_bias!.data.set(uniform([24]).data);
    mha.out_proj.bias!.data.set(uniform([8]).data);
    const x = uniform([4, 2, 8]); // [L, N, E]
    const pad = tg.tensor([[false, false, true, false], [false, false, false, false]]);
    const [out, weights] = mha.forward(x, x, x, { attnMask: F.causalMask(4), keyPaddingMask: pad });
    expect(out.shape).toEqual([4, 2, 8]);
    expect(weights!.shape).toEqual([2, 4, 4]);
    for (let b = 0; b < 2; b++) {
      const seq = rows(x.select(1, b));
      const ref = mhaRef(mha, seq, seq, seq, (l, s) => s > l || (b === 0 && s === 2));
      expectNear(out.select(1, b).data, ref.out.flat());
      expectNear(weights!.select(0, b).data, ref.weights.flat());
    }
  });

  it('cross-attention, batch first, queries and keys of different lengths', () => {
    const mha = new nn.MultiheadAttention(6, 3, { batchFirst: true });
    const q = uniform([2, 3, 6]), kv = uniform([2, 5, 6]);
    const [out, weights] = mha.forward(q, kv, kv);
    expect(weights!.shape).toEqual([2, 3, 5]);
    for (let b = 0; b < 2; b++) {
      const ref = mhaRef(mha, rows(q.select(0, b)), rows(kv.select(0, b)), rows(kv.select(0, b)), () => false);
      expectNear(out.select(0, b).data, ref.out.flat());
    }
  });

  it('causal masking: no output position depends on later inputs', () => {
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    const x = uniform([1, 5, 4]);
    const mask = F.causalMask(5);
    const before = mha.forward(x, x, x, { attnMask: mask })[0];
    const changed = x.clone();
    changed.data.fill(9, 3 * 4); // positions 3 and 4
    const after = mha.forward(changed, changed, changed, { attnMask: mask })[0];
    expectNear(after.narrow(1, 0, 3).data, before.narrow(1, 0, 3).data, 1e-6);
    expect(after.narrow(1, 3, 2).toArray()).not.toEqual(before.narrow(1, 3, 2).toArray());
  });

  it('needWeights false, per-head weights, an [N·heads, L, S] mask, and dropout only in training', () => {
    const mha = new nn.MultiheadAttention(4, 2, { dropout: 0.5 });
    const x = uniform([3, 2, 4]);
    expect(mha.forward(x, x, x, { needWeights: false })[1]).toBeNull();
    mha.eval();
    const perHead = mha.forward(x, x, x, { averageAttnWeights: false })[1]!;
    expect(perHead.shape).toEqual([2, 2, 3, 3]);
    const mask3 = F.causalMask(3).unsqueeze(0).expand([4, 3, 3]);
    expectNear(mha.forward(x, x, x, { attnMask: mask3 })[0].data, mha.forward(x, x, x, { attnMask: F.causalMask(3) })[0].data, 1e-6);
    const a = mha.forward(x, x, x)[0].toArray();
    expect(mha.forward(x, x, x)[0].toArray()).toEqual(a);
    mha.train();
    expect(mha.forward(x, x, x)[0].toArray()).not.toEqual(a);
  });

  it('gradients w.r.t. the inputs and the packed projection', () => {
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    gradcheck((q, kv, w) => { void w; return mha.forward(q, kv, kv)[0]; }, [uniform([1, 2, 4]), uniform([1, 3, 4]), mha.in_proj_weight]);
  });

  it('PyTorch\'s state keys and Xavier-uniform packed projection; clear errors', () => {
    const mha = new nn.MultiheadAttention(16, 4);
    expect(mha.namedParameters().map(([n, p]) => `${n}${JSON.stringify(p.shape)}`)).toEqual(['in_proj_weight[48,16]', 'in_proj_bias[48]', 'out_proj.weight[16,16]', 'out_proj.bias[16]']);
    const bound = Math.sqrt(6 / (16 + 48));
    expect(Math.max(...Array.from(mha.in_proj_weight.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Array.from(mha.in_proj_bias!.data).every((v) => v === 0)).toBe(true);
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow(/embedDim 10 must be divisible by numHeads 3/);
    const x = tg.zeros([4, 2, 16]);
    expect(() => mha.forward(x, x, x, { attnMask: tg.zeros([3, 4], { dtype: 'bool' }) })).toThrow(/attnMask must be \[4, 4\] or \[8, 4, 4\]/);
    expect(() => mha.forward(x, x, x, { keyPaddingMask: tg.zeros([4, 2], { dtype: 'bool' }) })).toThrow(/keyPaddingMask must be \[2,4\] \(batch, keys\), got \[4,2\]/);
    expect(() => mha.forward(x, x, x, { attnMask: tg.zeros([4, 4], { dtype: 'int32' }) })).toThrow(/attnMask must be bool \(true = masked\) or float32/);
    expect(() => mha.forward(tg.zeros([4, 2, 8]), x, x)).toThrow(/query \[4,2,8\] must end in embedDim 16/);
  });
});

describe('TransformerEncoderLayer', () => {
  it('post-norm: norm2(x + ff(x)) after norm1(src + attn(src)), written out with the layer\'s own parts', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, 16).eval();
    const src = uniform([3, 2, 8]);
    const [attn] = layer.self_attn.forward(src, src, src);
    const x = layer.norm1.forward(src.add(attn));
    const ff = layer.linear2.forward(layer.linear1.forward(x).relu());
    expectNear(layer.forward(src).data, layer.norm2.forward(x.add(ff)).data, 1e-6);
  });

  it('pre-norm with gelu and batchFirst, and a causal source mask', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, 12, { normFirst: true, activation: 'gelu', batchFirst: true, dropout: 0 });
    const src = uniform([2, 4, 8]);
    const mask = F.causalMask(4);
    const n1 = layer.norm1.forward(src);
    const x = src.add(layer.self_attn.forward(n1, n1, n1, { attnMask: mask })[0]);
    const want = x.add(layer.linear2.forward(layer.linear1.forward(layer.norm2.forward(x)).gelu()));
    expectNear(layer.forward(src, { srcMask: mask }).data, want.data, 1e-6);
  });

  it('PyTorch defaults: dropout 0.1 in training, none in eval; gradients flow to every parameter', () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, 8);
    expect(layer.dropout.p).toBe(0.1);
    expect(layer.self_attn.dropout).toBe(0.1);
    const src = uniform([3, 2, 4]);
    layer.eval();
    const a = layer.forward(src).toArray();
    expect(layer.forward(src).toArray()).toEqual(a);
    layer.train();
    expect(layer.forward(src).toArray()).not.toEqual(a);
    layer.forward(src).sum().backward();
    for (const [name, p] of layer.namedParameters()) expect(p.grad, name).not.toBeNull();
    expect(Object.keys(layer.stateDict())).toEqual([
      'self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
      'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
    ]);
  });

  it('gradient w.r.t. the input (eval mode, central differences), and errors', () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, 6).eval();
    gradcheck((x) => layer.forward(x), [uniform([2, 1, 4])]);
    expect(() => new nn.TransformerEncoderLayer(4, 2, 6, { activation: 'tanh' as 'relu' })).toThrow(/activation must be one of 'relu', 'gelu', got 'tanh'/);
    expect(() => new nn.TransformerEncoderLayer(5, 2, 6)).toThrow(/TransformerEncoderLayer: dModel 5 must be divisible by nhead 2/);
  });
});
