/**
 * Parity cases for elementwise programs: the gpu compiler (GLSL through gpu.js) against the
 * cpu compiler, whose programs are exact float32 roundings of float64 math
 * (test/backend/cpu-program.test.ts). Every builtin at its edge values, comparisons and
 * logic, every broadcasting pattern, multi-output programs (kernel maps), and sizes that
 * span many texture rows.
 */
import { expect, it } from 'vitest';
import type { Backend } from '../../../src/backend/backend.ts';
import { program, type ProgramArgs } from '../../../src/backend/program.ts';
import type { DType } from '../../../src/tensor/dtype.ts';
import { sizeOf } from '../../../src/tensor/shape.ts';
import { toHost, type Storage } from '../../../src/tensor/storage.ts';
import { randomInts } from '../../helpers/random.ts';
import { cpu, expectClose, random } from './support.ts';

type Args = ProgramArgs<Storage>;

function run(k: Backend, source: string, args: Args, outShape: number[]): Record<string, Storage> {
  return k.elementwise(program(source), args, outShape, false);
}

const t = (storage: Storage, shape: number[], dtype: DType = 'float32') => ({ storage, shape, dtype });

/** Edge values for the builtins: signed zeros, tiny and huge magnitudes, ±∞, NaN. */
const EDGES = [0, -0, 1e-30, -1e-30, 1e-6, 0.3, -0.3, 0.5, -0.5, 1, -1, 2.5, -2.5, 10, -10, 44, -44, 88, -88, 1e30, -1e30, Infinity, -Infinity, NaN];

/**
 * GLSL's exp, log, sin, cos and pow are accurate to a few float32 ulp (Mesa's llvmpipe); the
 * tolerances below are that, with absolute floors where the result crosses zero (sin, cos)
 * or is built from a difference (tanh near 0, handled by a series in the gpu helper).
 */
const TOL: Record<string, { rtol: number; atol: number }> = {
  exp: { rtol: 4e-6, atol: 1e-37 }, log: { rtol: 2e-6, atol: 1e-6 }, log1p: { rtol: 2e-6, atol: 1e-37 },
  sqrt: { rtol: 1e-6, atol: 1e-37 }, sin: { rtol: 2e-6, atol: 2e-6 }, cos: { rtol: 2e-6, atol: 2e-6 },
  tanh: { rtol: 2e-6, atol: 1e-37 }, erf: { rtol: 2e-6, atol: 1e-37 }, abs: { rtol: 0, atol: 0 },
  sign: { rtol: 0, atol: 0 }, floor: { rtol: 0, atol: 0 },
};

export function programCases(gpu: () => Backend, large: boolean): void {
  const n = large ? 70_001 : 37;

  it('every unary builtin at its edge values and over a wide range', () => {
    const x = Float32Array.from([...EDGES, ...random(n - EDGES.length, 1, -20, 20)]);
    for (const [name, tol] of Object.entries(TOL)) {
      // sin and cos of ±1e30 are argument-reduction tests no GPU passes; keep to |x| ≤ 88 for them.
      const input = name === 'sin' || name === 'cos' ? x.map((v) => (Math.abs(v) > 88 ? 0 : v)) : x;
      const args = { x: t(input, [n]) };
      expectClose(run(gpu(), `${name}(x)`, args, [n]).out, run(cpu, `${name}(x)`, args, [n]).out, `${name}(x)`, tol);
    }
    const args = { x: t(x, [n]) };
    for (const src of ['isnan(x)', 'float(x)', '-x', '!x', 'x * 2 - 1', 'x / 3']) {
      expectClose(run(gpu(), src, args, [n]).out, run(cpu, src, args, [n]).out, src, { rtol: 2e-7, atol: 0 });
    }
    // int() of NaN, ±∞ or beyond 2³¹ is undefined (as in PyTorch): truncation is checked within range.
    const inRange = { x: t(x.map((v) => (Math.abs(v) < 2 ** 31 ? v : 0.5)), [n]) };
    expectClose(run(gpu(), 'int(x)', inRange, [n]).out, run(cpu, 'int(x)', inRange, [n]).out, 'int(x)', { rtol: 0, atol: 0 });
  });

  it('binary builtins: pow (as Math.pow, for negative bases and zero too), max and min with NaN', () => {
    const bases = Float32Array.from([0, -0, 0, 0, -2, -2, -2, -8, 2, 4, 1, NaN, 2, 2, 0.5, Infinity, -Infinity, 1.5, 3, 10, NaN, -3]);
    const exps = Float32Array.from([0, -1, 2, -1, 3, 2, 0.5, 1 / 3, -1, -0.5, NaN, 0, Infinity, -Infinity, Infinity, -1, 3, 7.25, -3, 38, NaN, 4]);
    const m = bases.length;
    const args = { a: t(bases, [m]), b: t(exps, [m]) };
    // GLSL pow is exp2(b·log2 a): a few ulp of the exponent, relative 1e-5 for results up to 1e38.
    expectClose(run(gpu(), 'pow(a, b)', args, [m]).out, run(cpu, 'pow(a, b)', args, [m]).out, 'pow(a, b)', { rtol: 1e-5, atol: 0 });
    for (const src of ['max(a, b)', 'min(a, b)']) expectClose(run(gpu(), src, args, [m]).out, run(cpu, src, args, [m]).out, src, { rtol: 0, atol: 0 });
    const x = random(n, 2, -3, 3);
    for (const p of [2, 3, -1, 0.5, -2.5]) {
      const px = { x: t(x, [n]), p };
      expectClose(run(gpu(), 'pow(x, p)', px, [n]).out, run(cpu, 'pow(x, p)', px, [n]).out, `pow(x, ${p})`, { rtol: 1e-5, atol: 1e-30 });
    }
  });

  it('comparisons, logic and selects give the same 0/1 and picks, NaN included', () => {
    const a = Float32Array.from([...EDGES, ...randomInts(n - EDGES.length, 3, -2, 2)]);
    const b = randomInts(n, 4, -2, 2);
    const args = { a: t(a, [n]), b: t(b, [n]) };
    for (const src of ['a < b', 'a <= b', 'a > b', 'a >= b', 'a == b', 'a != b', 'a > 0 && b > 0', 'a > 0 || b > 0', 'a != a ? b : a', 'a > b ? a - b : 0']) {
      expectClose(run(gpu(), src, args, [n]).out, run(cpu, src, args, [n]).out, src, { rtol: 0, atol: 0 });
    }
  });

  it('int32 and bool arguments compute as whole numbers and 0/1', () => {
    const ints = randomInts(n, 5, -1000, 1000), bools = randomInts(n, 6, 0, 1);
    const args = { i: t(ints, [n], 'int32'), c: t(bools, [n], 'bool') };
    const cpuArgs = { i: t(Int32Array.from(ints), [n], 'int32'), c: t(Uint8Array.from(bools), [n], 'bool') };
    for (const src of ['i * 3 - 7', 'i / 4', 'c ? i : -i', 'c + c', 'abs(i) + sign(i)', 'i * 0.5', 'int(i / 3)']) {
      const want = toHost(run(cpu, src, cpuArgs, [n]).out);
      expectClose(run(gpu(), src, args, [n]).out, want, src, { rtol: 2e-7, atol: 0 });
    }
  });

  it('every broadcasting pattern, on outputs of many texture rows', () => {
    const rows = large ? 130 : 5, cols = large ? 541 : 7;
    const cases: [number[], number[]][] = [
      [[rows, cols], [rows, cols]],
      [[rows, cols], [cols]],
      [[rows, cols], [rows, 1]],
      [[rows, 1], [1, cols]],
      [[], [rows, cols]],
      [[2, rows, 3], [rows, 1]],
      [[2, 1, 3, 1], [1, rows, 1, 5]],
    ];
    cases.forEach(([sa, sb], c) => {
      const a = random(sizeOf(sa), 10 + c), b = random(sizeOf(sb), 20 + c, 0.5, 2);
      const outShape = broadcast(sa, sb);
      const args = { a: t(a, sa), b: t(b, sb) };
      // One program exercises every operand order and operator: a swapped operand changes its value.
      const src = 'a - b * a / b + b * 2';
      expectClose(run(gpu(), src, args, outShape).out, run(cpu, src, args, outShape).out, `[${sa}] with [${sb}]`, { rtol: 4e-7, atol: 4e-7 });
    });
  });

  it('multi-output programs (kernel maps) with temporaries and scalars, e.g. an optimizer update', () => {
    const p = random(n, 30), g = random(n, 31), m = random(n, 32), v = random(n, 33, 0, 1);
    const src = 'let gi = g + wd * p\nm = b1 * m + (1 - b1) * gi\nv = b2 * v + (1 - b2) * gi * gi\np = p - lr * m / (sqrt(v) + eps)';
    const args = { p: t(p, [n]), g: t(g, [n]), m: t(m, [n]), v: t(v, [n]), wd: 0.01, b1: 0.9, b2: 0.999, lr: 0.01, eps: 1e-8 };
    const got = run(gpu(), src, args, [n]), want = run(cpu, src, args, [n]);
    expect(Object.keys(got).sort()).toEqual(['m', 'p', 'v']);
    for (const o of ['m', 'v']) expectClose(got[o], want[o], `output ${o}`, { rtol: 2e-6, atol: 1e-7 });
    // p − step can cancel, and the step m/√v is large where v is small: bound p by the terms it is made of.
    const [pw, mw, vw] = ['p', 'm', 'v'].map((o) => toHost(want[o]));
    const terms = pw.map((_, i) => Math.abs(p[i]) + Math.abs(0.01 * mw[i] / (Math.sqrt(vw[i]) + 1e-8)));
    expectClose(got.p, want.p, 'output p', { rtol: 0, atol: 1e-7, bound: terms.map((v) => 4e-6 * v) });
  });

  it('literals nan and inf, negative literals, one-element inputs', () => {
    const x = Float32Array.from([1, -1, 0, 2]);
    const args = { x: t(x, [4]), s: t(Float32Array.from([3]), [1]) };
    for (const src of ['x > 0 ? inf : (x < 0 ? -inf : nan)', 'x * -2 + s', 's - x']) {
      expectClose(run(gpu(), src, args, [4]).out, run(cpu, src, args, [4]).out, src, { rtol: 0, atol: 0 });
    }
  });
}

function broadcast(a: number[], b: number[]): number[] {
  const nd = Math.max(a.length, b.length);
  return Array.from({ length: nd }, (_, i) => {
    const da = a[a.length - nd + i] ?? 1, db = b[b.length - nd + i] ?? 1;
    return da === 1 ? db : da;
  });
}
