/**
 * Broadcasting elementwise programs in WebAssembly (src/backend/cpu/program-wasm.ts, rowPlan in
 * program.ts): operands constant along rows of the output (a per-channel or per-sample value over
 * [N, C, H, W]) become one value per row. Checked through runProgram, on the copying path and on
 * resident arrays shared among threads, bit for bit against a reference written out here with
 * its own broadcasting (index arithmetic per dimension) and every operation rounded to float32,
 * which is what the SIMD loop computes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../../src/backend/cpu/program.ts';
import { wasmPrograms } from '../../src/backend/cpu/program-wasm.ts';
import { residentArrays } from '../../src/backend/cpu/resident.ts';
import { program, type ProgramArgs } from '../../src/backend/program.ts';
import type { Storage } from '../../src/tensor/storage.ts';
import { random } from '../helpers/random.ts';

const f = Math.fround;

let savedMin = 0;
beforeAll(() => {
  savedMin = wasmPrograms.minElements;
  wasmPrograms.minElements = 1;
});
afterAll(() => {
  wasmPrograms.minElements = savedMin;
});

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const arg = (data: Float32Array, shape: readonly number[]) => ({ storage: data as Storage, shape, dtype: 'float32' as const });

/** Element i of the output read from an operand of `shape`, aligned right and broadcast where 1. */
function at(x: Float32Array, shape: readonly number[], outShape: readonly number[], i: number): number {
  let index = 0, stride = 1, rest = i;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const coord = rest % outShape[d];
    rest = Math.floor(rest / outShape[d]);
    const k = d - (outShape.length - shape.length);
    if (k < 0) continue;
    if (shape[k] !== 1) index += coord * stride;
    stride *= shape[k];
  }
  return x[index];
}

function expectBits(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], f(want[i]))) expect.fail(`${label}: [${i}] is ${got[i]}, want ${f(want[i])}`);
  }
}

// [output, per-channel s, per-sample q]: rows of 4 (one vector), of 12, of 4480 (chunks of
// three rows on the copying path), of 20000 (longer than a chunk: a chunk per row), and an
// output of 65536 elements (split among threads when resident).
const SHAPES: number[][][] = [
  [[2, 3, 2, 2], [1, 3, 1, 1], [2, 1, 1, 1]],
  [[3, 5, 4, 3], [5, 1, 1], [3, 1, 1, 1]],
  [[2, 3, 64, 70], [1, 3, 1, 1], [2, 1, 1, 1]],
  [[1, 2, 100, 200], [2, 1, 1], [1, 1, 1, 1]],
  [[64, 16, 8, 8], [1, 16, 1, 1], [64, 1, 1, 1]],
];

describe('broadcast operands constant along rows run in wasm, exactly', () => {
  for (const [out, sShape, qShape] of SHAPES) {
    it(`[${out}] with s [${sShape}] and q [${qShape}]`, () => {
      const n = size(out), seed = size(out) % 1000;
      const a = random(n, seed, -3, 3), s = random(size(sShape), seed + 1, -2, 2), q = random(size(qShape), seed + 2, -1, 1);
      const k = new Float32Array([0.75]);
      const args: ProgramArgs<Storage> = { a: arg(a, out), s: arg(s, sShape), q: arg(q, qShape), k: arg(k, [1]), c: 0.1 };
      const r = runProgram(program('y = a * s + q\n z = (a - q) * k + s * c'), args, out, false) as Record<string, Float32Array>;
      const sv = (i: number) => at(s, sShape, out, i), qv = (i: number) => at(q, qShape, out, i);
      expectBits(r.y, Array.from(a, (v, i) => f(f(v * sv(i)) + qv(i))), 'y');
      expectBits(r.z, Array.from(a, (v, i) => f(f(f(v - qv(i)) * k[0]) + f(sv(i) * f(0.1)))), 'z');
    });
  }

  it('on resident arrays, out of place and in place, on every thread', () => {
    const resident = residentArrays();
    const out = [64, 16, 8, 8], n = size(out);
    const s = random(16, 41, -2, 2), q = random(64, 42, -1, 1);
    const sv = (i: number) => at(s, [1, 16, 1, 1], out, i), qv = (i: number) => at(q, [64, 1, 1, 1], out, i);
    let x = random(n, 43, -3, 3);
    if (resident !== null) {
      const moved = resident.allocate(n)!;
      moved.set(x);
      x = moved;
    }
    for (let step = 0; step < 20; step++) {
      const before = x.slice();
      const y = (runProgram(program('y = x * s - q'), { x: arg(x, out), s: arg(s, [1, 16, 1, 1]), q: arg(q, [64, 1, 1, 1]) }, out, false) as Record<string, Float32Array>).y;
      expectBits(y, Array.from(before, (v, i) => f(f(v * sv(i)) - qv(i))), `step ${step}: y`);
      expectBits(x, before, `step ${step}: x read, not written`);
      const r = runProgram(program('x = x * s + q'), { x: arg(x, out), s: arg(s, [1, 16, 1, 1]), q: arg(q, [64, 1, 1, 1]) }, out, true) as Record<string, Float32Array>;
      expectBits(r.x, Array.from(before, (v, i) => f(f(v * sv(i)) + qv(i))), `step ${step}: x in place`);
      if (resident !== null) expect(r.x, 'updated where it lies').toBe(x);
      x = r.x;
      // Keep the values bounded over the steps.
      for (let i = 0; i < n; i++) x[i] = Math.fround(Math.tanh(x[i]));
    }
  });
});

// (1 + 2⁻¹²)² − 1 is 2⁻¹¹ + 2⁻²⁴ in float64 (the JavaScript loop) and 2⁻¹¹ when the square
// is rounded to float32 first (the wasm loop): the last element tells which loop ran.
const A = 1 + 2 ** -12;
const JS_RESULT = 2 ** -11 + 2 ** -24;
const WASM_RESULT = 2 ** -11;

function marker(out: number[], cShape: number[]): number {
  const n = size(out);
  const a = new Float32Array(n).fill(A), c = new Float32Array(size(cShape)).fill(-1);
  const r = runProgram(program('y = a * a + c'), { a: arg(a, out), c: arg(c, cShape) }, out, false) as Record<string, Float32Array>;
  return r.y[n - 1];
}

describe('which broadcasts run in wasm', () => {
  it('a per-channel operand over rows of a multiple of 4 does', () => {
    expect(marker([2, 3, 4, 4], [1, 3, 1, 1])).toBe(WASM_RESULT);
    expect(marker([2, 3, 4, 4], [3, 1, 1])).toBe(WASM_RESULT);
  });

  it('rows of a length that is not a multiple of 4 run in JavaScript (a vector would straddle two rows)', () => {
    expect(marker([2, 3, 5, 5], [1, 3, 1, 1])).toBe(JS_RESULT);
  });

  it('an operand that varies along the innermost dimension runs in JavaScript', () => {
    expect(marker([2, 3, 4, 4], [1, 1, 1, 4])).toBe(JS_RESULT);
    expect(marker([2, 3, 4, 4], [3, 4, 4])).toBe(JS_RESULT);
  });
});
