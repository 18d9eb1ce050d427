/**
 * The cpu compiler for elementwise programs, run directly against naive float64 loops. The
 * cpu evaluates a program in float64 and rounds each output once, so a program's result must
 * be exactly the float32 rounding of the same formula evaluated in float64 — on the flat loop
 * (same-size and one-element operands), the strided loop (broadcasting), in place, and for
 * every builtin at its edge cases.
 *
 * These tests pin down the JavaScript loop, so the WebAssembly SIMD loop (program-wasm.ts, which
 * takes flat float32 programs from 512 elements and rounds every operation to float32) is
 * switched off here; cpu-program-wasm.test.ts tests it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../../src/backend/cpu/program.ts';
import { program, type ProgramArgs } from '../../src/backend/program.ts';
import type { DType, HostArray } from '../../src/tensor/dtype.ts';
import type { Storage } from '../../src/tensor/storage.ts';
import { expectFloat32, expectNear } from '../helpers/close.ts';
import { erf64 } from '../helpers/erf.ts';
import { random } from '../helpers/random.ts';
import { elementwise, size, type Shape } from './naive.ts';

let savedSwitch: string | undefined;
beforeAll(() => { savedSwitch = process.env.TSGRAD_WASM_PROGRAMS; process.env.TSGRAD_WASM_PROGRAMS = '0'; });
afterAll(() => { if (savedSwitch === undefined) delete process.env.TSGRAD_WASM_PROGRAMS; else process.env.TSGRAD_WASM_PROGRAMS = savedSwitch; });

function arg(data: HostArray, shape: Shape, dtype: DType = 'float32') {
  return { storage: data as Storage, shape, dtype };
}

function run(source: string, args: ProgramArgs<Storage>, outShape: Shape, inPlace = false): Record<string, HostArray> {
  return runProgram(program(source), args, outShape, inPlace);
}

describe('cpu elementwise programs: loop paths', () => {
  it('flat loop: same-size operands of 0, 1, 7 and 1013 elements', () => {
    for (const n of [0, 1, 7, 1013]) {
      const a = random(n, 1), b = random(n, 2);
      const out = run('a * b + a / (b + 3)', { a: arg(a, [n]), b: arg(b, [n]) }, [n]).out;
      expect(out).toBeInstanceOf(Float32Array);
      expectFloat32(out, Array.from(a, (v, i) => v * b[i] + v / (b[i] + 3)), `n = ${n}`);
    }
  });

  it('flat loop with one-element operands (a [] scalar tensor, a [1] and a [1,1]) on either side', () => {
    const n = 13;
    const a = random(n, 3), s = random(1, 4);
    for (const sShape of [[], [1], [1, 1]] as Shape[]) {
      const out = sShape.length === 2 ? [1, n] : [n];
      const left = run('s - a', { a: arg(a, out), s: arg(s, sShape) }, out).out;
      expectFloat32(left, Array.from(a, (v) => s[0] - v), `s ${JSON.stringify(sShape)} - a`);
      const right = run('a - s', { a: arg(a, out), s: arg(s, sShape) }, out).out;
      expectFloat32(right, Array.from(a, (v) => v - s[0]), `a - s ${JSON.stringify(sShape)}`);
    }
    // A single-element output from single-element operands.
    expectFloat32(run('a / s', { a: arg(a.subarray(0, 1), []), s: arg(s, [1]) }, [1]).out, [a[0] / s[0]], 'one element');
  });

  it('JS numbers are passed by value and read as float64 constants', () => {
    const a = random(9, 5);
    expectFloat32(run('a * k + c', { a: arg(a, [9]), k: 0.1, c: -3 }, [9]).out, Array.from(a, (v) => v * 0.1 + -3), 'a·0.1 − 3');
  });

  it('strided loop: every broadcasting pattern matches a naive walk over the output coordinates', () => {
    const cases: [Shape, Shape][] = [
      [[5, 7], [7]],             // a row broadcast over rows
      [[5, 7], [5, 1]],          // a column broadcast over columns
      [[5, 1], [1, 7]],          // an outer product
      [[2, 3, 4], [3, 1]],       // a middle dimension
      [[3, 1, 5], [4, 1]],       // both stretched, in different dimensions
      [[2, 1, 3, 1], [1, 4, 1, 5]],
      [[1, 7], [5, 7]],
      [[11], [3, 1, 1]],         // more leading dimensions on one side
      [[0, 3], [3]],             // an empty output
    ];
    cases.forEach(([sa, sb], c) => {
      const a = random(size(sa), 10 + c), b = random(size(sb), 20 + c, 0.5, 2);
      const outShape = sa.length >= sb.length ? broadcast(sa, sb) : broadcast(sb, sa);
      const out = run('a - b * a / b + b', { a: arg(a, sa), b: arg(b, sb) }, outShape).out;
      const want = elementwise((x, y) => x - y * x / y + y, [{ data: a, shape: sa }, { data: b, shape: sb }], outShape);
      expectFloat32(out, want, `[${sa}] with [${sb}]`);
    });
  });

  it('several outputs and temporaries: later lines see the values earlier lines set', () => {
    const n = 17;
    const a = random(n, 30), b = random(n, 31), c = random(3, 32);
    const out = run('let t = a * b\nx = t + 1\ny = x * c - t', { a: arg(a, [1, n]), b: arg(b, [1, n]), c: arg(c, [3, 1]) }, [3, n]);
    const ta = Array.from({ length: 3 * n }, (_, i) => a[i % n] * b[i % n]);
    expectFloat32(out.x, ta.map((t) => t + 1), 'x');
    // x is stored rounded, but y reads the float64 x of the same iteration.
    expectFloat32(out.y, ta.map((t, i) => (t + 1) * c[Math.floor(i / n)] - t), 'y');
  });

  it('in place: an output named like a full-size input is written into that input, reading every old value first', () => {
    const n = 23;
    const p = random(n, 40), g = random(n, 41);
    const before = p.slice();
    // q and p are updated from each other's old values in one pass.
    const q = random(n, 42), qBefore = q.slice();
    const res = run('p = p - 0.5 * g\nq = q + p', { p: arg(p, [n]), g: arg(g, [n]), q: arg(q, [n]) }, [n], true);
    expect(res.p).toBe(p);
    expect(res.q).toBe(q);
    const pNew = Array.from(before, (v, i) => v - 0.5 * g[i]);
    expectFloat32(p, pNew, 'p');
    expectFloat32(q, Array.from(qBefore, (v, i) => v + pNew[i]), 'q');
  });

  it('in place only where the layout matches: a broadcast input gets a new array; an int32 input is updated as int32', () => {
    const row = random(4, 50), m = random(12, 51);
    const res = run('row = row + m', { row: arg(row, [4]), m: arg(m, [3, 4]) }, [3, 4], true);
    expect(res.row).not.toBe(row);
    expect(res.row.length).toBe(12);
    expectFloat32(res.row, Array.from(m, (v, i) => row[i % 4] + v), 'broadcast row');
    const ints = Int32Array.from([1, 2, 3]);
    const r2 = run('ints = ints * 2 - 1', { ints: arg(ints, [3], 'int32') }, [3], true);
    expect(r2.ints).toBe(ints);
    expect(Array.from(ints)).toEqual([1, 3, 5]);
    // Without inPlace the input is never touched.
    const kept = Int32Array.from([1, 2, 3]);
    const r3 = run('kept = kept * 2', { kept: arg(kept, [3], 'int32') }, [3], false);
    expect(r3.kept).not.toBe(kept);
    expect(Array.from(kept)).toEqual([1, 2, 3]);
    expect(Array.from(r3.kept)).toEqual([2, 4, 6]);
  });

  it('in place, stored through the input (Adam-shaped, 3 outputs): equals the out-of-place run on 1, primes and odd sizes', () => {
    // The in-place loop stores each output through the input it overwrites and bounds the loop
    // by that input's length; the same program run out of place (fresh outputs) is the reference.
    const source = 'let gi = g + l2 * p\nm = b1 * m + (1 - b1) * gi\nv = b2 * v + (1 - b2) * gi * gi\np = p - lr * m / (sqrt(v) + eps)';
    for (const n of [1, 2, 3, 5, 7, 31, 1013, 4099]) {
      const p = random(n, 60), g = random(n, 61), m = random(n, 62), v = random(n, 63).map(Math.abs);
      const s = { l2: 0.01, b1: 0.9, b2: 0.999, lr: 1e-3, eps: 1e-8 };
      const ref = run(source, { p: arg(p.slice(), [n]), g: arg(g, [n]), m: arg(m.slice(), [n]), v: arg(v.slice(), [n]), ...s }, [n], false);
      const res = run(source, { p: arg(p, [n]), g: arg(g, [n]), m: arg(m, [n]), v: arg(v, [n]), ...s }, [n], true);
      expect(res.p).toBe(p);
      expect(res.m).toBe(m);
      expect(res.v).toBe(v);
      expect(Array.from(p)).toEqual(Array.from(ref.p));
      expect(Array.from(m)).toEqual(Array.from(ref.m));
      expect(Array.from(v)).toEqual(Array.from(ref.v));
    }
  });

  it('in place with the same array as two inputs, a one-element operand, and one output not in place', () => {
    for (const n of [1, 6, 97]) {
      const x = random(n, 70), k = random(1, 71), before = x.slice();
      // x is both a and b; y is a new array; x is updated through its own input.
      const res = run('let t = a * b + k\na = t - a\ny = t * 2', { a: arg(x, [n]), b: arg(x, [n]), k: arg(k, [1]) }, [n], true);
      expect(res.a).toBe(x);
      expect(res.y).not.toBe(x);
      const t = Array.from(before, (v) => v * v + k[0]);
      expectFloat32(x, t.map((tv, i) => tv - before[i]), `a, n = ${n}`);
      expectFloat32(res.y, t.map((tv) => tv * 2), `y, n = ${n}`);
    }
  });

  it('a missing argument is an error naming it', () => {
    expect(() => run('a + b', { a: arg(random(2, 1), [2]) }, [2])).toThrow("program: no value given for 'b' in: a + b");
  });
});

describe('cpu elementwise programs: types', () => {
  const i32 = (v: number[]) => arg(Int32Array.from(v), [v.length], 'int32');
  const bool = (v: number[]) => arg(Uint8Array.from(v), [v.length], 'bool');

  it('int32 arithmetic stays int32 and wraps like 32-bit integers (as PyTorch int32)', () => {
    const out = run('a + b', { a: i32([2 ** 31 - 1, -5, 7]), b: i32([1, 3, -7]) }, [3]).out;
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual([-(2 ** 31), -2, 0]);
    const prod = run('a * b', { a: i32([65536, -3, 46341]), b: i32([65536, 5, 46341]) }, [3]).out;
    expect(Array.from(prod)).toEqual([0, -15, (46341 * 46341) | 0]);
    expect(Array.from(run('-a', { a: i32([-(2 ** 31), 4]) }, [2]).out)).toEqual([-(2 ** 31), -4]);
  });

  it('numbers do not promote a tensor unless of a higher kind: int32·2 is int32, int32·0.5 and int32/int32 are float32', () => {
    const a = i32([3, -4, 5]);
    const twice = run('a * k', { a, k: 2 }, [3]).out;
    expect(twice).toBeInstanceOf(Int32Array);
    expect(Array.from(twice)).toEqual([6, -8, 10]);
    const half = run('a * k', { a, k: 0.5 }, [3]).out;
    expect(half).toBeInstanceOf(Float32Array);
    expect(Array.from(half)).toEqual([1.5, -2, 2.5]);
    const q = run('a / b', { a, b: i32([2, 3, 5]) }, [3]).out;
    expect(q).toBeInstanceOf(Float32Array);
    expectFloat32(q, [1.5, -4 / 3, 1], 'int32 / int32');
    expect(run('a + 1', { a }, [3]).out).toBeInstanceOf(Int32Array);
    expect(run('a + 1.5', { a }, [3]).out).toBeInstanceOf(Float32Array);
    expect(run('a + f', { a, f: arg(random(3, 1), [3]) }, [3]).out).toBeInstanceOf(Float32Array);
  });

  it('comparisons and logic give bools (Uint8Array 0/1); NaN is truthy and compares false except !=', () => {
    const x = arg(Float32Array.from([NaN, 0, -0, 2, -1]), [5]);
    const check = (src: string, want: number[]) => {
      const out = run(src, { x }, [5]).out;
      expect(out, src).toBeInstanceOf(Uint8Array);
      expect(Array.from(out), src).toEqual(want);
    };
    check('x > 0', [0, 0, 0, 1, 0]);
    check('x <= 0', [0, 1, 1, 0, 1]);
    check('x == x', [0, 1, 1, 1, 1]);
    check('x != x', [1, 0, 0, 0, 0]);
    check('!x', [0, 1, 1, 0, 0]);
    check('x != 0', [1, 0, 0, 1, 1]);
    check('x > -2 && x < 1', [0, 1, 1, 0, 1]);
    check('x > 1 || x < -0.5', [0, 0, 0, 1, 1]);
    check('isnan(x)', [1, 0, 0, 0, 0]);
  });

  it('bools count as integers in arithmetic, select with c ? a : b, and promote the branches together', () => {
    const sum = run('a + b', { a: bool([1, 1, 0]), b: bool([1, 0, 0]) }, [3]).out;
    expect(sum).toBeInstanceOf(Int32Array);
    expect(Array.from(sum)).toEqual([2, 1, 0]);
    const pick = run('c ? a : b', { c: bool([1, 0, 1]), a: i32([1, 2, 3]), b: arg(Float32Array.from([0.5, 0.25, 0.125]), [3]) }, [3]).out;
    expect(pick).toBeInstanceOf(Float32Array);
    expect(Array.from(pick)).toEqual([1, 0.25, 3]);
    const ints = run('c ? a : 0', { c: bool([1, 0, 1]), a: i32([7, 8, 9]) }, [3]).out;
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints)).toEqual([7, 0, 9]);
  });

  it('int() truncates toward zero, float() converts, and builtins follow their result rules', () => {
    const x = arg(Float32Array.from([-1.7, -0.5, 0.5, 1.7, 2 ** 20 + 0.5]), [5]);
    const t = run('int(x)', { x }, [5]).out;
    expect(t).toBeInstanceOf(Int32Array);
    expect(Array.from(t)).toEqual([-1, 0, 0, 1, 2 ** 20]);
    const a = i32([-3, 2, 0]);
    const types: [string, typeof Int32Array | typeof Float32Array | typeof Uint8Array][] = [
      ['float(a)', Float32Array], ['exp(a)', Float32Array], ['sqrt(a)', Float32Array], ['erf(a)', Float32Array],
      ['abs(a)', Int32Array], ['sign(a)', Int32Array], ['floor(a)', Int32Array], ['max(a, 1)', Int32Array],
      ['min(a, 0.5)', Float32Array], ['pow(a, 3)', Int32Array], ['isnan(a)', Uint8Array],
    ];
    for (const [src, type] of types) expect(run(src, { a }, [3]).out, src).toBeInstanceOf(type);
    expect(Array.from(run('pow(a, 3)', { a }, [3]).out)).toEqual([-27, 8, 0]);
    expect(Array.from(run('abs(a)', { a }, [3]).out)).toEqual([3, 2, 0]);
  });
});

/** Edge values every builtin is run on. */
const EDGES = [0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 1e-4, 0.5, -0.5, 1, -1, 2.5, -2.5, 3, -3, 10, -10, 20, -20, 88, -88, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN];

describe('cpu elementwise programs: every builtin', () => {
  const x = Float32Array.from([...EDGES, ...random(64, 60, -30, 30)]);
  const n = x.length;
  const unary = (src: string) => run(src, { x: arg(x, [n]) }, [n]).out;

  it('exp, log, log1p, sqrt, sin, cos, tanh, abs, sign, floor are the correctly rounded float64 results', () => {
    const fns: Record<string, (v: number) => number> = {
      exp: Math.exp, log: Math.log, log1p: Math.log1p, sqrt: Math.sqrt, sin: Math.sin, cos: Math.cos,
      tanh: Math.tanh, abs: Math.abs, sign: Math.sign, floor: Math.floor,
    };
    for (const [name, f] of Object.entries(fns)) expectFloat32(unary(`${name}(x)`), Array.from(x, f), name);
  });

  it('max(x, 0) (compiled without a branch) is Math.max(x, 0) at every edge: ±0 → +0, −∞ → 0, NaN stays', () => {
    for (const src of ['max(x, 0)', 'max(0, x)']) {
      const out = unary(src);
      for (let i = 0; i < n; i++) expect(Object.is(out[i], Math.fround(Math.max(x[i], 0))), `${src} at ${x[i]}`).toBe(true);
    }
    const edges = Float32Array.from([-0, 0, -Infinity, Infinity, NaN, -1e-45, 1e-45, -3.4e38]);
    expect(Array.from(run('max(x, 0)', { x: arg(edges, [8]) }, [8]).out)).toEqual([0, 0, 0, Infinity, NaN, 0, 1e-45, 0].map(Math.fround));
    expect(Object.is(run('max(x, 0)', { x: arg(Float32Array.of(-0), [1]) }, [1]).out[0], 0)).toBe(true);
  });

  it('comparisons used as numbers are 1 or 0 (NaN compares false), with ±∞ and ±0', () => {
    const y = Float32Array.from([...x].reverse());
    for (const op of ['<', '<=', '>', '>=']) {
      const out = run(`dy * (x ${op} y)`, { dy: arg(x, [n]), x: arg(x, [n]), y: arg(y, [n]) }, [n]).out;
      const cmp = (a: number, b: number) => (op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b);
      expectFloat32(out, Array.from(x, (v, i) => v * (cmp(v, y[i]) ? 1 : 0)), op);
    }
  });

  it('log1p keeps tiny arguments, and gives −∞ at −1 and NaN below', () => {
    const v = Float32Array.from([1e-10, -1e-10, 1e-7, -1, -2, -0]);
    const out = run('log1p(x)', { x: arg(v, [6]) }, [6]).out;
    expectFloat32(out, Array.from(v, Math.log1p), 'log1p');
    expect(Array.from(out.subarray(3))).toEqual([-Infinity, NaN, -0]);
    // ln(1 + 1e-10) in float32 would be 0; log1p keeps the argument's digits.
    expect(out[0] / v[0]).toBeCloseTo(1, 6);
  });

  it('erf agrees with a float64 series to float32 accuracy, relative near zero as well', () => {
    const small = Float32Array.from([1e-30, -1e-20, 1e-8, 3e-6, -1e-4, 0.01, -0.05, 0.2]);
    const all = Float32Array.from([...x, ...small, ...random(200, 61, -4, 4)]);
    const out = run('erf(x)', { x: arg(all, [all.length]) }, [all.length]).out;
    const want = Array.from(all, erf64);
    // float32 accuracy: a few ulp of the result, relative — erf(x) ≈ 1.128x for tiny x must not lose digits.
    expectNear(out, want, 'erf', { rtol: 3e-7, atol: 1e-37 });
  });

  it('pow follows Math.pow: zero bases, negative bases with whole and fractional powers, infinities, NaN', () => {
    const cases: [number, number][] = [
      [0, 0], [NaN, 0], [0, 2], [0, -1], [-0, -1], [-0, -2], [-2, 3], [-2, 2], [-2, 0.5], [-8, 1 / 3],
      [2, -1], [2, 0.5], [4, -0.5], [1, NaN], [NaN, 1], [2, Infinity], [2, -Infinity], [0.5, Infinity],
      [Infinity, -1], [-Infinity, 3], [-Infinity, 2], [1.5, 7.25], [3, -3], [10, 38], [10, 39],
    ];
    const a = Float32Array.from(cases.map((c) => c[0])), b = Float32Array.from(cases.map((c) => c[1]));
    const out = run('pow(a, b)', { a: arg(a, [cases.length]), b: arg(b, [cases.length]) }, [cases.length]).out;
    expectFloat32(out, cases.map((_, i) => Math.pow(a[i], b[i])), 'pow');
  });

  it('max and min propagate NaN from either side (torch.maximum), and order ±0 and ±∞', () => {
    const a = Float32Array.from([NaN, 1, NaN, -Infinity, 3, -1]);
    const b = Float32Array.from([1, NaN, NaN, 2, Infinity, -1]);
    const max = run('max(a, b)', { a: arg(a, [6]), b: arg(b, [6]) }, [6]).out;
    const min = run('min(a, b)', { a: arg(a, [6]), b: arg(b, [6]) }, [6]).out;
    expect(Array.from(max)).toEqual([NaN, NaN, NaN, 2, Infinity, -1]);
    expect(Array.from(min)).toEqual([NaN, NaN, NaN, -Infinity, 3, -1]);
  });

  it('literals nan and inf, and negative literals that keep an int32 result', () => {
    const out = run('x > 0 ? inf : (x < 0 ? -inf : nan)', { x: arg(Float32Array.from([1, -1, 0]), [3]) }, [3]).out;
    expect(Array.from(out)).toEqual([Infinity, -Infinity, NaN]);
    const ints = run('a * -1', { a: arg(Int32Array.from([3, -4]), [2], 'int32') }, [2]).out;
    expect(ints).toBeInstanceOf(Int32Array);
    expect(Array.from(ints)).toEqual([-3, 4]);
  });
});

function broadcast(a: Shape, b: Shape): number[] {
  const off = a.length - b.length;
  return a.map((d, i) => (i < off ? d : d === 1 ? b[i - off] : d));
}
