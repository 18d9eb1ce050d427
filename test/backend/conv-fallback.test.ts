/**
 * The cpu backend's fused conv forms where WebAssembly is unavailable (the wasm kernels are
 * mocked to decline, as they do when the module cannot load): conv2d through ReLU, and
 * conv2dGradParams with and without the ReLU mask and the bias, against the definition.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Conv2dGeometry } from '../../src/backend/nn-kernels.ts';
import { expectNear, productBound } from '../helpers/close.ts';
import { random } from '../helpers/random.ts';
import * as naive from './naive.ts';

vi.mock('../../src/backend/cpu/conv-wasm.ts', () => ({
  conv2dWasm: () => null,
  conv2dGradInputWasm: () => null,
  conv2dGradWeightWasm: () => null,
  conv2dGradParamsWasm: () => null,
}));

const { conv2d, conv2dGradParams } = await import('../../src/backend/cpu/conv.ts');

const abs = (a: ArrayLike<number>) => Array.from(a, Math.abs);

describe('cpu fused conv forms without WebAssembly', () => {
  const g: Conv2dGeometry = { n: 2, c: 3, h: 7, w: 6, o: 4, kh: 3, kw: 3, stride: 1, padding: 1, oh: 7, ow: 6 };
  const x = random(g.n * g.c * g.h * g.w, 1), w = random(g.o * g.c * g.kh * g.kw, 2), bias = random(g.o, 3);
  const dy = random(g.n * g.o * g.oh * g.ow, 4);

  it('conv2d through ReLU is max(conv2d, 0)', () => {
    const want = naive.conv2d(x, w, bias, g).map((v) => Math.max(v, 0));
    const bound = productBound(naive.conv2d(abs(x), abs(w), abs(bias), g), g.c * g.kh * g.kw + 1);
    const y = conv2d(x, w, bias, g, undefined, 'relu');
    expectNear(y, want, 'forward through ReLU', { rtol: 0, atol: 0, bound });
    expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true);
  });

  it('conv2dGradParams masks dy by the ReLU output, and sums the bias gradient from it', () => {
    const y = naive.conv2d(x, w, bias, g).map((v) => Math.max(v, 0));
    // relu's backward dy·[y > 0]: a negative dy times 0 is −0, as the unfused op gives.
    const masked = Float32Array.from(dy, (v, i) => v * (y[i] > 0 ? 1 : 0));
    const p = conv2dGradParams(dy, x, g, { bias: true, reluOutput: Float32Array.from(y), keepMaskedDy: true });
    expect(Array.from(p.dy)).toEqual(Array.from(masked));
    const dwBound = productBound(naive.conv2dGrads(abs(masked), abs(x), abs(w), g).dw, g.n * g.oh * g.ow);
    expectNear(p.weight, naive.conv2dGrads(masked, x, w, g).dw, 'dw after the ReLU', { rtol: 0, atol: 0, bound: dwBound });
    const db = new Array(g.o).fill(0), dbAbs = new Array(g.o).fill(0), plane = g.oh * g.ow;
    masked.forEach((v, i) => { const o = Math.floor(i / plane) % g.o; db[o] += v; dbAbs[o] += Math.abs(v); });
    expectNear(p.bias!, db, 'db after the ReLU', { rtol: 0, atol: 0, bound: productBound(dbAbs, g.n * plane) });
    const plain = conv2dGradParams(dy, x, g, { bias: false, reluOutput: null, keepMaskedDy: false });
    expect(plain.bias).toBeNull();
    expect(plain.dy).toBe(dy);
  });
});
