/**
 * Kernels on resident arrays (src/backend/cpu/resident.ts): operands that lie in the kernels'
 * shared memory are read and written where they lie instead of copied. Every result is
 * compared with the same kernel on plain arrays (which copies) or with the TypeScript
 * reference, on awkward sizes, alone and shared among threads; then the host pool's part
 * (resident arrays inside tidy only) and a whole CNN step in tidy against one outside it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import type { Conv2dGeometry, Pool2dGeometry } from '../../src/backend/nn-kernels.ts';
import { createWasmGemm, type WasmGemm } from '../../src/backend/cpu/gemm-wasm.ts';
import { conv2dGradInputWasm, conv2dGradWeightWasm, conv2dWasm } from '../../src/backend/cpu/conv-wasm.ts';
import { maxPool2dGradWasm, maxPool2dWasm } from '../../src/backend/cpu/pool-wasm.ts';
import { maxPool2dGradTs, maxPool2dTs } from '../../src/backend/cpu/pool.ts';
import { sumMiddleAxisWasm } from '../../src/backend/cpu/reduce-wasm.ts';
import { RESIDENT_MIN_ELEMENTS, ResidentArrays, residentArrays, residentFloat32Source } from '../../src/backend/cpu/resident.ts';
import { setFloat32Source } from '../../src/tensor/host-pool.ts';
import { newArray, newArrayUnfilled } from '../../src/tensor/dtype.ts';
import { runProgram } from '../../src/backend/cpu/program.ts';
import { program } from '../../src/backend/program.ts';

function random(size: number, seed: number): Float32Array {
  const x = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

function expectSame(actual: Float32Array | null, expected: Float32Array, what: string): void {
  expect(actual, `${what}: the kernel did not run`).not.toBeNull();
  expect(actual!.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual![i], expected[i])) throw new Error(`${what}: element ${i} is ${actual![i]}, expected ${expected[i]}`);
  }
}

function expectClose(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= tol)) throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** `a` copied into a resident array of `resident`'s memory. */
function moveIn(resident: ResidentArrays, a: Float32Array): Float32Array {
  const r = resident.allocate(a.length)!;
  r.set(a);
  return r;
}

/** Makes the host pool hand out resident arrays of `resident` (inside tidy or not) while `f` runs. */
function withResidentOutputs<T>(resident: ResidentArrays, f: () => T): T {
  setFloat32Source({ minElements: 1, active: () => true, take: (n) => resident.allocate(n), zero: (a) => resident.zero(a) });
  try {
    return f();
  } finally {
    setFloat32Source(residentFloat32Source);
  }
}

afterEach(() => setFloat32Source(residentFloat32Source));

function convGeometry(n: number, c: number, h: number, w: number, o: number, k: number, stride: number, padding: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * padding - k) / stride) + 1, ow = Math.floor((w + 2 * padding - k) / stride) + 1;
  return { n, c, h, w, o, kh: k, kw: k, stride, padding, oh, ow };
}

function poolGeometry(n: number, c: number, h: number, w: number, kernel: number, stride: number): Pool2dGeometry {
  return { n, c, h, w, kernel, stride, oh: Math.floor((h - kernel) / stride) + 1, ow: Math.floor((w - kernel) / stride) + 1 };
}

const kernels: [string, WasmGemm, boolean][] = [
  ['two threads, alone', createWasmGemm({ threads: 2 }), false],
  ['three threads, shared', createWasmGemm({ threads: 3 }), true],
];

describe('conv kernels read and write resident operands where they lie', () => {
  // [n, c, h, w, o, k, stride, padding]: the bench CNN's layers, primes, padding, a stride.
  const GEOMETRIES = [[5, 1, 28, 28, 8, 5, 1, 0], [3, 8, 12, 12, 16, 5, 1, 0], [7, 3, 11, 13, 5, 3, 2, 1], [1, 1, 1, 1, 1, 1, 1, 0]];
  for (const [label, kernel, threaded] of kernels) {
    for (const dims of GEOMETRIES) {
      it(`${JSON.stringify(dims)} (${label})`, () => {
        const g = convGeometry(...(dims as [number, number, number, number, number, number, number, number]));
        const seed = dims.reduce((a, b) => a * 31 + b, 5);
        const x = random(g.n * g.c * g.h * g.w, seed), w = random(g.o * g.c * g.kh * g.kw, seed + 1);
        const bias = random(g.o, seed + 2), dy = random(g.n * g.o * g.oh * g.ow, seed + 3);
        const options = { kernel, threaded };
        // Plain arrays: copied in and out.
        const y = conv2dWasm(x, w, bias, g, options)!, dx = conv2dGradInputWasm(dy, w, g, options)!;
        const dw = conv2dGradWeightWasm(dy, x, g, { kernel, threaded: false })!;
        const resident = new ResidentArrays(kernel);
        // Every operand resident, the outputs too; then only the inputs; then only the outputs.
        for (const [inputs, outputs] of [[true, true], [true, false], [false, true]]) {
          const xr = inputs ? moveIn(resident, x) : x, wr = inputs ? moveIn(resident, w) : w;
          const br = inputs ? moveIn(resident, bias) : bias, dyr = inputs ? moveIn(resident, dy) : dy;
          const run = <T>(f: () => T) => (outputs ? withResidentOutputs(resident, f) : f());
          const what = `inputs ${inputs ? '' : 'not '}resident, outputs ${outputs ? '' : 'not '}resident`;
          const yr = run(() => conv2dWasm(xr, wr, br, g, options))!;
          expect(kernel.holds(yr), what).toBe(outputs);
          expectSame(yr, y, `forward, ${what}`);
          expectSame(run(() => conv2dGradInputWasm(dyr, wr, g, options)), dx, `input gradient, ${what}`);
          // The weight gradient sums the threads' partials in the order the threads took images.
          expectSame(run(() => conv2dGradWeightWasm(dyr, xr, g, { kernel, threaded: false })), dw, `weight gradient, ${what}`);
          expectClose(run(() => conv2dGradWeightWasm(dyr, xr, g, options))!, dw, 1e-5, `weight gradient shared, ${what}`);
          if (inputs) {
            expectSame(xr, x, 'x left as it was');
            expectSame(dyr, dy, 'dy left as it was');
          }
        }
      });
    }
  }
});

describe('max pooling and its gradient on resident operands', () => {
  // [n, c, h, w, kernel, stride]: 2×2 tails, odd planes, overlapping windows (their gradients add).
  const GEOMETRIES = [[2, 3, 5, 7, 2, 2], [3, 1, 6, 10, 2, 2], [1, 5, 9, 9, 3, 2], [2, 2, 7, 8, 3, 1], [8, 33, 24, 24, 2, 2], [1, 1, 2, 2, 2, 2]];
  for (const [label, kernel, threaded] of kernels) {
    for (const dims of GEOMETRIES) {
      it(`${JSON.stringify(dims)} (${label})`, () => {
        const g = poolGeometry(...(dims as [number, number, number, number, number, number]));
        const seed = dims.reduce((a, b) => a * 31 + b, 9);
        // Few distinct levels: ties, so argmax order matters.
        const x = random(g.n * g.c * g.h * g.w, seed).map((v) => Math.round(v * 3));
        const dy = random(g.n * g.c * g.oh * g.ow, seed + 1);
        const ref = maxPool2dTs(x, g), refDx = maxPool2dGradTs(dy, ref.argmax, g);
        const options = { kernel, threaded };
        // The gradient on plain arrays (copied in and out) against the TypeScript scatter.
        expectSame(maxPool2dGradWasm(dy, ref.argmax, g, options), refDx, 'gradient, plain arrays');
        const resident = new ResidentArrays(kernel);
        const xr = moveIn(resident, x), dyr = moveIn(resident, dy);
        const got = withResidentOutputs(resident, () => maxPool2dWasm(xr, g, options))!;
        expect(kernel.holds(got.values) && kernel.holds(got.argmax)).toBe(true);
        expectSame(got.values, ref.values, 'values');
        expectSame(got.argmax, ref.argmax, 'argmax');
        // A dirty array for dx: the kernel must zero what it does not scatter to.
        const dirty = resident.allocate(g.n * g.c * g.h * g.w)!;
        dirty.fill(7);
        const dx = withResidentOutputs(resident, () => maxPool2dGradWasm(dyr, got.argmax, g, options))!;
        expect(kernel.holds(dx)).toBe(true);
        expectSame(dx, refDx, 'gradient, resident');
        expectSame(maxPool2dGradWasm(dyr, ref.argmax, g, options), refDx, 'gradient, argmax not resident');
      });
    }
  }
});

describe('the GEMM on resident operands', () => {
  for (const [label, kernel] of kernels) {
    it(`uses A, B and C where they lie, accumulating or not (${label})`, () => {
      const resident = new ResidentArrays(kernel);
      for (const [m, n, k] of [[1, 1, 1], [37, 29, 131], [200, 150, 300]]) {
        const a = random(m * k, m), b = random(k * n, n), c0 = random(m * n, k);
        for (const accumulate of [false, true]) {
          const plain = Float32Array.from(c0);
          expect(kernel.run(a, b, plain, m, n, k, false, true, accumulate)).toBe(true);
          // A and C resident (C a subarray of a bigger one, as a batched matmul passes), B not.
          const ar = moveIn(resident, a), big = moveIn(resident, new Float32Array(m * n + 5).fill(3));
          const cr = big.subarray(5);
          cr.set(c0);
          expect(kernel.run(ar, b, cr, m, n, k, false, true, accumulate)).toBe(true);
          expectSame(cr, plain, `${m}x${n}x${k} accumulate ${accumulate}`);
          expectSame(big.subarray(0, 5), new Float32Array(5).fill(3), 'the elements before C untouched');
          expectSame(ar, a, 'A left as it was');
        }
      }
    });
  }
});

describe('elementwise programs write a resident output where it lies', () => {
  it('dy * (x > 0) into a resident array, from resident and plain inputs', () => {
    const resident = residentArrays();
    expect(resident, 'the backend shares its memory with threads on this machine').not.toBeNull();
    const p = program('y = dy * (x > 0)');
    for (const n of [RESIDENT_MIN_ELEMENTS, 65537, 200003]) {
      const dy = random(n, n), x = random(n, n + 1);
      const expected = dy.map((v, i) => v * (x[i] > 0 ? 1 : 0));  // −0 where dy < 0, as the program computes
      const xr = moveIn(resident!, x);
      const out = withResidentOutputs(resident!, () =>
        runProgram(p, { dy: { storage: dy, shape: [n], dtype: 'float32' }, x: { storage: xr, shape: [n], dtype: 'float32' } }, [n], false).y as Float32Array);
      expect(resident!.has(out)).toBe(true);
      expectSame(out, expected, `n = ${n}`);
    }
  });
});

describe('the sum over a middle axis (a conv bias gradient) in wasm', () => {
  // [outer, kept, inner]: rows shorter than the 8-float step, tails of it, the bench CNN's.
  const SHAPES = [[1, 1, 1], [3, 2, 7], [2, 5, 9], [64, 8, 576], [64, 16, 64], [5, 3, 1031], [17, 40, 13]];
  for (const [label, kernel, threaded] of kernels) {
    it(`against float64 loops, resident or copied (${label})`, () => {
      const resident = new ResidentArrays(kernel);
      for (const [outer, kept, inner] of SHAPES) {
        const x = random(outer * kept * inner, outer * 7 + inner);
        const expected = new Float64Array(kept);
        for (let o = 0; o < outer; o++) for (let k = 0; k < kept; k++) for (let i = 0; i < inner; i++) expected[k] += x[(o * kept + k) * inner + i];
        for (const input of [x, moveIn(resident, x)]) {
          const got = sumMiddleAxisWasm(input, outer, kept, inner, { kernel, threaded });
          expect(got).not.toBeNull();
          for (let k = 0; k < kept; k++) {
            // Float64 sums of float32 values in another order: equal far below float32's precision.
            if (!(Math.abs(got![k] - expected[k]) <= 1e-12 * (1 + outer * inner))) {
              throw new Error(`[${outer},${kept},${inner}] channel ${k}: ${got![k]}, expected ${expected[k]}`);
            }
          }
        }
      }
    });
  }

  it('tg.sum over [0, 2, 3] of a resident activation gives what it gives outside tidy', () => {
    const x = tg.keep(tg.randn([64, 8, 24, 24]));
    const plain = Float32Array.from(x.sum([0, 2, 3]).data as Float32Array);
    const inTidy = tg.tidy(() => {
      const y = x.mul(1);  // a resident copy
      expect(residentArrays()!.has(y.storage)).toBe(true);
      return y.sum([0, 2, 3]);
    });
    expectSame(inTidy.data as Float32Array, plain, 'channel sums');
    x.dispose();
  });
});

describe('the host pool hands out resident arrays inside tidy only', () => {
  const n = RESIDENT_MIN_ELEMENTS + 3;

  it('large float32 arrays made in tidy are resident, zeroed when asked, and reused after the step', () => {
    const resident = residentArrays()!;
    let first: Float32Array | null = null;
    tg.tidy(() => {
      const a = tg.rand([n]).mul(2);
      first = a.storage as Float32Array;
      expect(resident.has(first)).toBe(true);
      first.fill(5);
    });
    tg.tidy(() => {
      const z = newArray('float32', n);
      expect(z).toBe(first);  // the same block, handed back at the end of the last step
      expect(z.every((v) => v === 0)).toBe(true);
      expect(resident.has(newArray('float32', RESIDENT_MIN_ELEMENTS - 1))).toBe(false);
      expect(newArray('int32', n)).toBeInstanceOf(Int32Array);
    });
    expect(resident.has(newArrayUnfilled('float32', n))).toBe(false);
  });

  it('a max-pool backward after its tidy ended fails clearly instead of reading a reused argmax', () => {
    const x = tg.rand([2, 3, 8, 8], { requiresGrad: true });
    const y = tg.tidy(() => tg.ops.maxPool2d(x, 2));
    expect(() => y.sum().backward()).toThrow(/maxPool2d: backward after the tidy\(\)/);
    // Inside one tidy it works, and the gradient is the TypeScript reference's.
    x.grad = null;
    const grad = tg.tidy(() => {
      tg.ops.maxPool2d(x, 2).sum().backward();
      return x.grad!.clone();
    });
    const g = poolGeometry(2, 3, 8, 8, 2, 2);
    const ref = maxPool2dGradTs(new Float32Array(2 * 3 * 16).fill(1), maxPool2dTs(x.data as Float32Array, g).argmax, g);
    expectSame(grad.data as Float32Array, ref, 'dx');
  });
});

describe('a CNN training step in tidy (resident arrays) gives what it gives outside (plain arrays)', () => {
  it('the loss and every gradient agree', () => {
    tg.manualSeed(3);
    const conv1 = new tg.nn.Conv2D(1, 8, 5);
    const model = new tg.nn.Sequential(
      conv1, new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
      new tg.nn.Conv2D(8, 16, 5), new tg.nn.ReLU(), new tg.nn.MaxPool2D(2),
      new tg.nn.Flatten(), new tg.nn.Dense(256, 10),
    );
    const x = tg.rand([32, 1, 28, 28]);
    const labels = tg.tensor(Array.from({ length: 32 }, (_, i) => (i * 7) % 10), { dtype: 'int32' });
    const step = () => {
      model.zeroGrad();
      const loss = tg.ops.crossEntropy(model.forward(x), labels);
      loss.backward();
      return { loss: loss.item(), grads: model.parameters().map((p) => Float32Array.from(p.grad!.data as Float32Array)) };
    };
    const plain = step();
    let convOutputResident = false;
    const inTidy = tg.tidy(() => {
      convOutputResident = residentArrays()!.has(conv1.forward(x).storage);
      return step();
    });
    expect(convOutputResident, 'the first conv output, made in tidy, is resident').toBe(true);
    expect(Math.abs(inTidy.loss - plain.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(plain.loss));
    plain.grads.forEach((g, i) => expectClose(inTidy.grads[i], g, 1e-5, `gradient of parameter ${i}`));
  });
});
