/**
 * The fused conv + ReLU (ops/conv.ts conv2dRelu, and nn.Sequential running a Conv2D and the
 * ReLU after it as that one op) against the composition relu(conv2d(x)): the same values bit
 * for bit, NaN and −0 included, the same gradients, and Sequential's fusion visible where it
 * must be (a relu-activated conv kernel call) and absent where it must not be (a ReLU or Conv2D
 * subclass with its own forward, a trace).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { conv2dRelu } from '../../src/ops/conv.ts';
import { backend } from '../../src/backend/registry.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { uniform } from '../helpers/gradcheck.ts';

const F = tg.nn.functional;

/** Element i of a and b are the same float (Object.is: NaN equals NaN, −0 differs from +0). */
function expectSame(a: tg.Tensor, b: tg.Tensor, what: string): void {
  expect(a.shape, what).toEqual(b.shape);
  const x = a.data, y = b.data;
  for (let i = 0; i < y.length; i++) {
    if (!Object.is(x[i], y[i])) throw new Error(`${what}: element ${i} is ${x[i]}, the composition gives ${y[i]}`);
  }
}

// [x shape, w shape, stride, padding]: the direct stride-1 forward (valid, padded, rows ending in
// a partial 8-wide sliver, o not a multiple of the 4-row tile, 261 taps across the 256 k-block),
// a strided conv and a pointwise one (both through the packed GEMM, ReLU as a pass per image).
const CASES: [number[], number[], number, number][] = [
  [[2, 1, 12, 12], [8, 1, 5, 5], 1, 0],
  [[2, 3, 9, 10], [5, 3, 3, 3], 1, 1],
  [[1, 29, 6, 6], [6, 29, 3, 3], 1, 1],
  [[2, 3, 9, 8], [5, 3, 3, 2], 2, 1],
  [[2, 5, 4, 4], [7, 5, 1, 1], 1, 0],
];

forEachBackend('test/nn/conv-relu.test.ts', () => {
  for (const [xs, ws, stride, padding] of CASES) {
    it(`x ${JSON.stringify(xs)}, w ${JSON.stringify(ws)}, stride ${stride}, padding ${padding}: values and gradients`, () => {
      const opts = { stride, padding };
      for (const withBias of [true, false]) {
        tg.manualSeed(3);
        const x = uniform(xs), w = uniform(ws), b = withBias ? uniform([ws[0]]) : null;
        for (const t of [x, w, b]) if (t) t.requiresGrad = true;
        const r = tg.randn([xs[0], ws[0], 1, 1]).add(tg.zeros([1, 1, 1, 1]));
        const fused = conv2dRelu(x, w, b, opts);
        fused.mul(r.expand(fused.shape)).sum().backward();
        const fusedGrads: [tg.Tensor, tg.Tensor, tg.Tensor | null] = [x.grad!, w.grad!, b?.grad ?? null];
        for (const t of [x, w, b]) if (t) t.grad = null;
        const composed = F.conv2d(x, w, b, opts).relu();
        composed.mul(r.expand(composed.shape)).sum().backward();
        expectSame(fused, composed, 'output');
        // Some outputs of each case are negative, so the mask is not all ones.
        expect(fused.data.some((v) => v === 0) && fused.data.some((v) => v > 0)).toBe(true);
        expectSame(fusedGrads[0], x.grad!, 'dx');
        expectSame(fusedGrads[1], w.grad!, 'dw');
        if (b) expectSame(fusedGrads[2]!, b.grad!, 'db');
      }
    });
  }

  it('NaN stays NaN and −0 becomes +0, as relu(NaN) and relu(−0)', () => {
    const x = tg.tensor([0, NaN, 1, -2, 3, 0, -1, 2, 1], { shape: [1, 1, 3, 3] });
    // A 1×1 kernel of −0 · x: outputs −0 where x ≥ 0 (and −0 + a −0 bias stays −0), NaN at the NaN.
    const w = tg.tensor([-0], { shape: [1, 1, 1, 1] });
    const b = tg.tensor([-0]);
    const composed = F.conv2d(x, w, b).relu();
    expectSame(conv2dRelu(x, w, b), composed, 'special values');
    expect(Number.isNaN(composed.data[1])).toBe(true);
    expect(Object.is(composed.data[0], 0)).toBe(true);
  });
});

describe('nn.Sequential fuses a Conv2D and the ReLU after it', () => {
  const conv2d = backend().conv2d;
  afterEach(() => { backend().conv2d = conv2d; });

  /** Counts the backend's conv2d calls that were asked to apply the ReLU. */
  function countFused(): { fused: number } {
    const seen = { fused: 0 };
    const kernels = backend();
    kernels.conv2d = (...args) => {
      if (args[5] === 'relu') seen.fused++;
      return conv2d(...args);
    };
    return seen;
  }

  function model(): tg.nn.Sequential {
    tg.manualSeed(11);
    const { nn } = tg;
    return new nn.Sequential(
      new nn.Conv2D(1, 4, 3), new nn.ReLU(), new nn.MaxPool2D(2),
      new nn.Conv2D(4, 6, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Dense(6 * 9, 3),
    );
  }

  it('with the very outputs and parameter gradients of the layers run one by one', () => {
    const x = uniform([3, 1, 8, 8]);
    const a = model(), b = model();
    const seen = countFused();
    const ya = a.forward(x);
    expect(seen.fused).toBe(2);
    let yb = x;
    for (const layer of b.layers) yb = layer.forward(yb);
    expect(seen.fused).toBe(2);
    expectSame(ya, yb, 'output');
    ya.mul(ya).sum().backward();
    yb.mul(yb).sum().backward();
    const pa = a.namedParameters(), pb = b.namedParameters();
    for (let i = 0; i < pa.length; i++) expectSame(pa[i][1].grad!, pb[i][1].grad!, `gradient of ${pa[i][0]}`);
  });

  it('but not a layer whose class has a forward of its own, nor while tracing', () => {
    class ShiftedReLU extends tg.nn.ReLU {
      override forward(x: tg.Tensor): tg.Tensor {
        return super.forward(x).add(1);
      }
    }
    class ScaledConv extends tg.nn.Conv2D {
      override forward(x: tg.Tensor): tg.Tensor {
        return super.forward(x).mul(2);
      }
    }
    const x = uniform([2, 1, 6, 6]);
    const seen = countFused();
    tg.manualSeed(5);
    const conv = new tg.nn.Conv2D(1, 2, 3);
    const shifted = new tg.nn.Sequential(conv, new ShiftedReLU()).forward(x);
    expectSame(shifted, F.conv2d(x, conv.weight, conv.bias).relu().add(1), 'ReLU subclass');
    tg.manualSeed(5);
    const scaledConv = new ScaledConv(1, 2, 3);
    const scaled = new tg.nn.Sequential(scaledConv, new tg.nn.ReLU()).forward(x);
    expectSame(scaled, F.conv2d(x, scaledConv.weight, scaledConv.bias).mul(2).relu(), 'Conv2D subclass');
    expect(seen.fused).toBe(0);
    const { events } = tg.ops.trace(() => model().forward(uniform([1, 1, 8, 8])));
    expect(seen.fused).toBe(0);
    const flat = (es: tg.ops.TraceEvent[]): string[] => es.flatMap((e) => [e.op, ...flat(e.children)]);
    expect(flat(events).filter((op) => op === 'conv2d' || op === 'relu')).toEqual(['conv2d', 'relu', 'conv2d', 'relu']);
  });

  it('and names the Conv2D when the fused op fails', () => {
    const net = new tg.nn.Sequential(new tg.nn.Conv2D(3, 2, 3), new tg.nn.ReLU());
    expect(() => net.forward(tg.zeros([1, 2, 5, 5]))).toThrow(/model\.0 \(Conv2D\): conv2d: input has 2 channels but weight \[2,3,3,3\] expects 3/);
  });
});
