/**
 * CPU max-pooling kernels: a direct sweep over the windows, remembering where each max was,
 * and its gradient, a scattered add per output. Both run the WebAssembly versions (pool-wasm.ts:
 * SIMD for 2×2 windows, planes shared among threads) and fall back to the TypeScript ones here
 * (`…Ts`), which are also the reference the wasm ones are tested against. The gradient is
 * worth moving to wasm only because its operands are resident inside a training step
 * (resident.ts): when dy and argmax had to be copied in and dx out, the copies cost more than
 * the scatter (MNIST CNN's first pool, batch 64, CPU ms: TypeScript 2.8–7.5, wasm 4.3–8.5).
 */
import type { Pool2dGeometry } from '../nn-kernels.ts';
import { toHost, type Storage } from '../../tensor/storage.ts';
import { newArray, newArrayUnfilled } from '../../tensor/dtype.ts';
import { maxPool2dGradWasm, maxPool2dWasm } from './pool-wasm.ts';
import { wasmGemm } from './gemm-wasm.ts';

/** Max over each kernel×kernel window; argmax holds the winner's offset h·W + w in its plane. */
export function maxPool2d(xs: Storage, g: Pool2dGeometry): { values: Float32Array; argmax: Float32Array } {
  const x = toHost(xs);
  return maxPool2dWasm(x, g) ?? maxPool2dTs(x, g);
}

/** dx: every dy value added at the position its window's maximum came from (overlaps add). */
export function maxPool2dGrad(dys: Storage, argmaxs: Storage, g: Pool2dGeometry): Float32Array {
  const dy = toHost(dys), argmax = toHost(argmaxs);
  // In wasm where dy lies there already (resident); otherwise its copy would cost more than it saves.
  const resident = wasmGemm()?.holds(dy) ?? false;
  return (resident ? maxPool2dGradWasm(dy, argmax, g) : null) ?? maxPool2dGradTs(dy, argmax, g);
}

/** Max over each kernel×kernel window; argmax holds the winner's offset h·W + w in its plane. */
export function maxPool2dTs(x: Float32Array, g: Pool2dGeometry): { values: Float32Array; argmax: Float32Array } {
  const { n, c, h: H, w: W, kernel: k, stride: s, oh, ow } = g;
  const planes = n * c;
  const values = newArrayUnfilled('float32', planes * oh * ow);
  const argmax = new Float32Array(planes * oh * ow);
  let out = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * H * W;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, out++) {
        const start = oy * s * W + ox * s;
        let best = x[base + start];
        let bestAt = start;
        for (let i = 0; i < k; i++) {
          const rowAt = start + i * W;
          for (let j = 0; j < k; j++) {
            const v = x[base + rowAt + j];
            // `v !== v` lets a NaN win, so NaN propagates as in PyTorch instead of vanishing.
            if (v > best || (v !== v && best === best)) { best = v; bestAt = rowAt + j; }
          }
        }
        values[out] = best;
        argmax[out] = bestAt;
      }
    }
  }
  return { values, argmax };
}

/** dx: every dy value added at the position its window's maximum came from (overlaps add). */
export function maxPool2dGradTs(dy: Float32Array, argmax: Float32Array, g: Pool2dGeometry): Float32Array {
  const { n, c, h: H, w: W, oh, ow } = g;
  const dx = newArray('float32', n * c * H * W);
  const perPlane = oh * ow;
  for (let pl = 0, out = 0; pl < n * c; pl++) {
    const base = pl * H * W;
    for (let q = 0; q < perPlane; q++, out++) dx[base + argmax[out]] += dy[out];
  }
  return dx;
}
