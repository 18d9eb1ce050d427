/**
 * The WebAssembly SIMD compiler for elementwise programs (src/backend/cpu/program-wasm.ts),
 * through runProgram, against references written out by hand here:
 *
 * - every operation rounded to float32 (what the wasm loop computes): bit-exact;
 * - float64 throughout, rounded once (what the JS loop computes): within a few float32 ulps of
 *   the largest intermediate value, and bit-exact for programs of a single operation.
 *
 * The size threshold is lowered to 1 so that sizes 1 to 7 run in wasm too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../../src/backend/cpu/program.ts';
import { wasmPrograms } from '../../src/backend/cpu/program-wasm.ts';
import { RESIDENT_MIN_ELEMENTS, residentArrays } from '../../src/backend/cpu/resident.ts';
import { program, type ProgramArgs } from '../../src/backend/program.ts';
import type { DType, HostArray } from '../../src/tensor/dtype.ts';
import type { Storage } from '../../src/tensor/storage.ts';
import { random } from '../helpers/random.ts';

const SIZES = [1, 2, 3, 4, 5, 7, 1013, 4099, 65537];
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, 3e38, -3e38, 1e-45, 2].map(Math.fround);

let savedMin = 0;
let savedEnv: string | undefined;
beforeAll(() => {
  savedMin = wasmPrograms.minElements;
  savedEnv = process.env.TSGRAD_WASM_PROGRAMS;
  wasmPrograms.minElements = 1;
  delete process.env.TSGRAD_WASM_PROGRAMS;
});
afterAll(() => {
  wasmPrograms.minElements = savedMin;
  if (savedEnv === undefined) delete process.env.TSGRAD_WASM_PROGRAMS;
  else process.env.TSGRAD_WASM_PROGRAMS = savedEnv;
});

function arg(data: HostArray, shape: readonly number[] = [data.length], dtype: DType = 'float32') {
  return { storage: data as Storage, shape, dtype };
}

function run(source: string, args: ProgramArgs<Storage>, n: number, inPlace = false): Record<string, HostArray> {
  return runProgram(program(source), args, [n], inPlace);
}

/** Random values with every pair of special values (NaN, ±∞, ±0, huge, subnormal) at the start when `specials`. */
function data(n: number, seed: number, specials: boolean, which: 0 | 1): Float32Array {
  const x = random(n, seed, -4, 4);
  if (specials) {
    const k = SPECIALS.length;
    for (let i = 0; i < Math.min(n, k * k); i++) x[i] = SPECIALS[which === 0 ? Math.floor(i / k) : i % k];
  }
  return x;
}

/** Equal as float32 bit patterns, except that any NaN equals any NaN. */
function expectBits(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const x = actual[i], y = Math.fround(expected[i]);
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) expect.fail(`${label}: element ${i} is ${x}, expected ${y}`);
  }
}

// ---------------------------------------------------------------------------------------
// Single constructs: float64 results rounded once are exactly what float32 gives.

const CONSTRUCTS: [string, (a: number, b: number) => number][] = [
  ['a + b', (a, b) => a + b],
  ['a - b', (a, b) => a - b],
  ['a * b', (a, b) => a * b],
  ['a / b', (a, b) => a / b],
  ['-a', (a) => -a],
  ['sqrt(a)', (a) => Math.sqrt(a)],
  ['abs(a)', (a) => Math.abs(a)],
  ['floor(a)', (a) => Math.floor(a)],
  ['max(a, b)', (a, b) => Math.max(a, b)],
  ['min(a, b)', (a, b) => Math.min(a, b)],
  ['max(a, 0)', (a) => Math.max(a, 0)],
  ['1.0 * (a < b)', (a, b) => +(a < b)],
  ['1.0 * (a <= b)', (a, b) => +(a <= b)],
  ['1.0 * (a > b)', (a, b) => +(a > b)],
  ['1.0 * (a >= b)', (a, b) => +(a >= b)],
  ['1.0 * (a == b)', (a, b) => +(a === b)],
  ['1.0 * (a != b)', (a, b) => +(a !== b)],
  ['1.0 * (a < 1 && b > 0)', (a, b) => +(a < 1 && b > 0)],
  ['1.0 * (a < 1 || b > 0)', (a, b) => +(a < 1 || b > 0)],
  ['1.0 * !(a < b)', (a, b) => +!(a < b)],
  // Plain numbers as truth values: non-zero (NaN included) is true.
  ['1.0 * !a', (a) => +(a === 0)],
  ['1.0 * (a && b)', (a, b) => +(a !== 0 && b !== 0)],
  ['1.0 * (a || b)', (a, b) => +(a !== 0 || b !== 0)],
  ['a > b ? a : -b', (a, b) => (a > b ? a : -b)],
  ['a ? b : 3', (a, b) => (a !== 0 ? b : 3)],
  ['dy * (x > 0)', (x, dy) => dy * +(x > 0)],
];

/** `a`/`b` renamed to a program's input names (x, dy for ReLU's derivative). */
function names(source: string): [string, string] {
  return source.includes('dy') ? ['x', 'dy'] : ['a', 'b'];
}

describe('cpu programs in wasm: each construct', () => {
  it('full-size operands, with NaN, ±∞, ±0, huge and subnormal values: bit-exact', () => {
    for (const [source, f] of CONSTRUCTS) {
      const [an, bn] = names(source);
      for (const n of SIZES) {
        const a = data(n, 1, true, 0), b = data(n, 2, true, 1);
        const out = run(source, { [an]: arg(a), [bn]: arg(b) }, n).out;
        expect(out).toBeInstanceOf(Float32Array);
        expectBits(out, Array.from(a, (v, i) => f(v, b[i])), `${source}, n = ${n}`);
      }
    }
  });

  it('one-element operands on either side, as a tensor ([] and [1]) or a JS number', () => {
    const n = 4099;
    for (const [source, f] of CONSTRUCTS) {
      const [an, bn] = names(source);
      for (const s of SPECIALS) {
        const x = data(n, 3, false, 0);
        const one = new Float32Array([s]);
        const right = run(source, { [an]: arg(x), [bn]: arg(one, []) }, n).out;
        expectBits(right, Array.from(x, (v) => f(v, s)), `${source} with ${bn} = [${s}]`);
        const left = run(source, { [an]: arg(one, [1]), [bn]: arg(x) }, n).out;
        expectBits(left, Array.from(x, (v) => f(s, v)), `${source} with ${an} = [${s}]`);
        // s is a float32 value, so the number rounds to itself.
        // (A whole number can make the result int32, e.g. `a ? b : 3`: that runs in JavaScript.)
        const num = run(source, { [an]: arg(x), [bn]: s }, n).out;
        if (num instanceof Float32Array) expectBits(num, Array.from(x, (v) => f(v, s)), `${source} with ${bn} = ${s}`);
      }
    }
  });

  it('max and min order −0 below +0 like Math.max/min, and max(x, 0) turns −0 and −∞ into +0', () => {
    const a = new Float32Array([-0, 0, -0, 0, -Infinity, NaN, -0]);
    const b = new Float32Array([0, -0, -0, 0, 0, 0, NaN]);
    expectBits(run('max(a, b)', { a: arg(a), b: arg(b) }, 7).out, [0, 0, -0, 0, 0, NaN, NaN], 'max');
    expectBits(run('min(a, b)', { a: arg(a), b: arg(b) }, 7).out, [-0, -0, -0, 0, -Infinity, NaN, NaN], 'min');
    expectBits(run('max(a, 0)', { a: arg(a) }, 7).out, [0, 0, 0, 0, 0, NaN, 0], 'max(a, 0)');
  });

  it('a JS number that is not a float32 is rounded to float32 first (PyTorch does the same)', () => {
    const x = random(1013, 5);
    const out = run('x * s', { x: arg(x), s: 0.1 }, 1013).out;
    expectBits(out, Array.from(x, (v) => v * Math.fround(0.1)), 'x * 0.1');
  });
});

// ---------------------------------------------------------------------------------------
// Whole programs: the optimizers' updates and ReLU, against both references.

type Values = Record<string, number>;
/** A program's formula, each operation passed through `r` (Math.fround: float32; a recorder: float64). */
type Formula = (r: (v: number) => number, t: Values, s: Values) => Values;

interface Case {
  name: string;
  source: string;
  tensors: string[];
  scalars: Values;
  formula: Formula;
  /**
   * How much float32 steps' rounding errors can be magnified, from the float64 outputs (default
   * 1). Centered RMSprop divides by √(v − a²), which cancels: an error of u·v in v − a² is a
   * relative error of u·v / (v − a²) in the variance, whatever the precision of the arithmetic.
   */
  amplify?: (out: Values) => number;
}

const ADAM = `
  let gi = g + l2 * p
  m = beta1 * m + oneMinusBeta1 * gi
  v = beta2 * v + oneMinusBeta2 * gi * gi
  p = p * shrink - stepSize * m / (sqrt(v) * invBc2Sqrt + eps)`;
const adam: Formula = (r, { p, g, m, v }, s) => {
  const gi = r(g + r(s.l2 * p));
  const m2 = r(r(s.beta1 * m) + r(s.oneMinusBeta1 * gi));
  const v2 = r(r(s.beta2 * v) + r(r(s.oneMinusBeta2 * gi) * gi));
  return { m: m2, v: v2, p: r(r(p * s.shrink) - r(r(s.stepSize * m2) / r(r(r(Math.sqrt(v2)) * s.invBc2Sqrt) + s.eps))) };
};
const adamScalars = (l2: number, shrink: number): Values => ({
  beta1: 0.9, beta2: 0.999, oneMinusBeta1: 1 - 0.9, oneMinusBeta2: 1 - 0.999, eps: 1e-8, l2, shrink,
  stepSize: 1e-3 / (1 - 0.9 ** 3), invBc2Sqrt: 1 / Math.sqrt(1 - 0.999 ** 3),
});

const RMSPROP_CENTERED_MOMENTUM = `
  let gi = g + wd * p
  v = alpha * v + oneMinusAlpha * gi * gi
  a = alpha * a + oneMinusAlpha * gi
  let d = gi / (sqrt(max(v - a * a, 0)) + eps)
  b = mu * b + d
  p = p - lr * b`;

const CASES: Case[] = [
  { name: 'Adam (L2 decay)', source: ADAM, tensors: ['p', 'g', 'm', 'v'], scalars: adamScalars(0.01, 1), formula: adam },
  { name: 'AdamW (decoupled decay)', source: ADAM, tensors: ['p', 'g', 'm', 'v'], scalars: adamScalars(0, 1 - 1e-3 * 0.01), formula: adam },
  {
    name: 'SGD', source: 'p = p - lr * (g + wd * p)', tensors: ['p', 'g'], scalars: { lr: 0.01, wd: 1e-4 },
    formula: (r, { p, g }, s) => ({ p: r(p - r(s.lr * r(g + r(s.wd * p)))) }),
  },
  {
    name: 'SGD momentum (Nesterov)',
    source: 'let gi = g + wd * p\n b = keep * b + inject * gi\n p = p - lr * (cb * b + cg * gi)',
    tensors: ['p', 'g', 'b'], scalars: { lr: 0.01, wd: 1e-4, keep: 0.9, inject: 1 - 0.1, cb: 0.9, cg: 1 },
    formula: (r, { p, g, b }, s) => {
      const gi = r(g + r(s.wd * p));
      const b2 = r(r(s.keep * b) + r(s.inject * gi));
      return { b: b2, p: r(p - r(s.lr * r(r(s.cb * b2) + r(s.cg * gi)))) };
    },
  },
  {
    name: 'RMSprop', source: 'let gi = g + wd * p\n v = alpha * v + oneMinusAlpha * gi * gi\n let d = gi / (sqrt(v) + eps)\n p = p - lr * d',
    tensors: ['p', 'g', 'v'], scalars: { lr: 0.01, wd: 0, alpha: 0.99, oneMinusAlpha: 1 - 0.99, eps: 1e-8 },
    formula: (r, { p, g, v }, s) => {
      const gi = r(g + r(s.wd * p));
      const v2 = r(r(s.alpha * v) + r(r(s.oneMinusAlpha * gi) * gi));
      return { v: v2, p: r(p - r(s.lr * r(gi / r(r(Math.sqrt(v2)) + s.eps)))) };
    },
  },
  {
    name: 'RMSprop centered, with momentum', source: RMSPROP_CENTERED_MOMENTUM,
    tensors: ['p', 'g', 'v', 'a', 'b'], scalars: { lr: 0.01, wd: 1e-4, alpha: 0.99, oneMinusAlpha: 1 - 0.99, eps: 1e-8, mu: 0.9 },
    formula: (r, { p, g, v, a, b }, s) => {
      const gi = r(g + r(s.wd * p));
      const v2 = r(r(s.alpha * v) + r(r(s.oneMinusAlpha * gi) * gi));
      const a2 = r(r(s.alpha * a) + r(s.oneMinusAlpha * gi));
      const d = r(gi / r(r(Math.sqrt(r(Math.max(r(v2 - r(a2 * a2)), 0)))) + s.eps));
      const b2 = r(r(s.mu * b) + d);
      return { v: v2, a: a2, b: b2, p: r(p - r(s.lr * b2)) };
    },
    // Where v − a² is 0 (or below, clamped), any rounding decides between √0 and a tiny root.
    amplify: ({ v, a }) => (v - a * a > 0 ? Math.max(1, (v + a * a) / (v - a * a)) : Infinity),
  },
  {
    name: 'AdaGrad', source: 'let gi = g + wd * p\n sum = sum + gi * gi\n p = p - lr * gi / (sqrt(sum) + eps)',
    tensors: ['p', 'g', 'sum'], scalars: { lr: 0.01, wd: 1e-4, eps: 1e-10 },
    formula: (r, { p, g, sum }, s) => {
      const gi = r(g + r(s.wd * p));
      const sum2 = r(sum + r(gi * gi));
      return { sum: sum2, p: r(p - r(r(s.lr * gi) / r(r(Math.sqrt(sum2)) + s.eps))) };
    },
  },
  { name: 'ReLU', source: 'max(x, 0)', tensors: ['x'], scalars: {}, formula: (r, { x }) => ({ out: r(Math.max(x, 0)) }) },
  { name: "ReLU's derivative", source: 'dy * (x > 0)', tensors: ['x', 'dy'], scalars: {}, formula: (r, { x, dy }) => ({ out: r(dy * +(x > 0)) }) },
];

/** Per-element inputs: moments (v, sum) non-negative, as an optimizer keeps them; a run of zeros at the start. */
function caseInputs(c: Case, n: number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  c.tensors.forEach((t, k) => {
    const x = random(n, 10 + k, -2, 2);
    if (t === 'v' || t === 'sum') for (let i = 0; i < n; i++) x[i] = Math.abs(x[i]);
    for (let i = 0; i < Math.min(n, 3); i++) x[(i * 7) % n] = 0;
    out[t] = x;
  });
  // A mean of squares is at least the square of the mean (centered RMSprop's v and a).
  if (out.a && out.v) for (let i = 0; i < n; i++) out.v[i] += out.a[i] * out.a[i];
  return out;
}

function checkCase(c: Case, n: number, inPlace: boolean): void {
  const label = `${c.name}, n = ${n}, ${inPlace ? 'in place' : 'out of place'}`;
  const inputs = caseInputs(c, n);
  const copies = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.slice()]));
  const args: Record<string, ReturnType<typeof arg> | number> = { ...c.scalars };
  for (const t of c.tensors) args[t] = arg(inputs[t]);
  const result = run(c.source, args, n, inPlace);

  const s32 = Object.fromEntries(Object.entries(c.scalars).map(([k, v]) => [k, Math.fround(v)]));
  for (const [o, got] of Object.entries(result)) {
    const at = (i: number): Values => Object.fromEntries(c.tensors.map((t) => [t, copies[t][i]]));
    // float32 at every step: exactly what the wasm loop computes.
    expectBits(got, Array.from({ length: n }, (_, i) => c.formula(Math.fround, at(i), s32)[o]), `${label}: ${o} (float32 steps)`);
    // float64, rounded once: within 8 float32 ulps of the largest intermediate value.
    for (let i = 0; i < n; i++) {
      let scale = 0;
      const exact = c.formula((v) => { scale = Math.max(scale, Math.abs(v)); return v; }, at(i), c.scalars);
      const want = Math.fround(exact[o]);
      if (!(Math.abs(got[i] - want) <= 8 * 2 ** -24 * scale * (c.amplify?.(exact) ?? 1))) expect.fail(`${label}: ${o}[${i}] is ${got[i]}, float64 gives ${want}`);
    }
    // In place, an output named like an input is that very array, or, from RESIDENT_MIN_ELEMENTS
    // on where the memory is shared, the resident array it moved to (program-shared.ts); out of
    // place, a new array, and the inputs stay as they were.
    if (c.tensors.includes(o)) {
      const moves = inPlace && n >= RESIDENT_MIN_ELEMENTS && residentArrays() !== null;
      expect(got === inputs[o], `${label}: ${o} in place`).toBe(inPlace && !moves);
      expect(residentArrays()?.has(got) ?? false, `${label}: ${o} resident`).toBe(moves);
    }
  }
  if (!inPlace) for (const t of c.tensors) expectBits(inputs[t], copies[t], `${label}: input ${t} unchanged`);
}

describe('cpu programs in wasm: optimizer updates and ReLU', () => {
  for (const c of CASES) {
    it(`${c.name}: float32 steps exactly, float64 within 8 ulps (of the largest intermediate), in place and out of place, on awkward sizes`, () => {
      for (const n of SIZES) for (const inPlace of [false, true]) checkCase(c, n, inPlace);
    });
  }

  it('later lines read the values earlier lines set; an output not named like an input gets a new array', () => {
    const n = 1013;
    const m = random(n, 20), p = random(n, 21);
    const m0 = m.slice(), p0 = p.slice();
    const r = run('m = m * 0.5\n p = p + m\n q = p * m', { m: arg(m), p: arg(p) }, n, true);
    expect(r.m).toBe(m);
    expect(r.p).toBe(p);
    const m1 = Array.from(m0, (v) => Math.fround(v * 0.5));
    const p1 = Array.from(p0, (v, i) => Math.fround(v + m1[i]));
    expectBits(r.m, m1, 'm');
    expectBits(r.p, p1, 'p');
    expectBits(r.q, p1.map((v, i) => v * m1[i]), 'q');
  });

  it('the same array as two inputs, one of them updated in place', () => {
    const n = 4099;
    const x = random(n, 22), x0 = x.slice();
    const r = run('x = x * y + 1', { x: arg(x), y: arg(x) }, n, true);
    expect(r.x).toBe(x);
    expectBits(r.x, Array.from(x0, (v) => Math.fround(v * v) + 1), 'x');
  });
});

// ---------------------------------------------------------------------------------------
// What stays in JavaScript, and the switch.

/**
 * a·b + c with a = b = 1 + 2⁻¹², c = −1: float64 gives 2⁻¹¹ + 2⁻²⁴ (exact in float32), float32
 * steps lose the 2⁻²⁴ in a·b and give 2⁻¹¹. So the result tells which loop ran.
 */
const A = 1 + 2 ** -12;
const JS_RESULT = 2 ** -11 + 2 ** -24;
const WASM_RESULT = 2 ** -11;

function marker(source: string, n = 1013, cShape: number[] = [n]): number {
  const a = new Float32Array(n).fill(A);
  const c = new Float32Array(cShape.reduce((x, y) => x * y, 1)).fill(-1);
  return run(source, { a: arg(a), b: arg(a), c: arg(c, cShape) }, n).out[n - 1];
}

describe('cpu programs in wasm: what runs in JavaScript instead', () => {
  it('the marker program runs in wasm', () => {
    expect(marker('a * b + c')).toBe(WASM_RESULT);
  });

  it('a program with a builtin without a SIMD instruction (exp, tanh, …) runs in JavaScript', () => {
    expect(marker('exp(a) * 0 + a * b + c')).toBe(JS_RESULT);
    expect(marker('tanh(c) * 0 + a * b + c')).toBe(JS_RESULT);
    const x = random(4099, 30);
    expectBits(run('exp(x)', { x: arg(x) }, 4099).out, Array.from(x, Math.exp), 'exp(x)');
  });

  it('a broadcast operand, or an int32 tensor, keeps the program in JavaScript', () => {
    const n = 1024;
    const a = new Float32Array(n).fill(A);
    const c = new Float32Array(32).fill(-1);
    expect(runProgram(program('a * b + c'), { a: arg(a, [32, 32]), b: arg(a, [32, 32]), c: arg(c, [32]) }, [32, 32], false).out[n - 1]).toBe(JS_RESULT);
    const k = new Int32Array(n).fill(-1);
    expect(run('a * b + k', { a: arg(a), b: arg(a), k: arg(k, [n], 'int32') }, n).out[n - 1]).toBe(JS_RESULT);
  });

  it('below the size threshold, programs run in JavaScript', () => {
    const saved = wasmPrograms.minElements;
    wasmPrograms.minElements = 2000;
    try {
      expect(marker('a * b + c', 1999)).toBe(JS_RESULT);
      expect(marker('a * b + c', 2000)).toBe(WASM_RESULT);
    } finally {
      wasmPrograms.minElements = saved;
    }
  });

  it('TSGRAD_WASM_PROGRAMS=0 turns the wasm path off, and unsetting it turns it back on', () => {
    process.env.TSGRAD_WASM_PROGRAMS = '0';
    try {
      expect(marker('a * b + c')).toBe(JS_RESULT);
    } finally {
      delete process.env.TSGRAD_WASM_PROGRAMS;
    }
    expect(marker('a * b + c')).toBe(WASM_RESULT);
  });
});
