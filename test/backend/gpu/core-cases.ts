/**
 * Parity cases for the core kernels: each gpu kernel against the cpu backend on seeded
 * random data. Registered once per gpu.js mode by core.test.ts; `large` adds sizes that
 * span many texture rows (gpu.js packs a 1-D output of n elements into a ~√n × √n texture,
 * so anything above the 16384-texel row limit needs several rows) and long reduction axes
 * that take the two-pass path.
 */
import { it } from 'vitest';
import type { Backend } from '../../../src/backend/backend.ts';
import type { BinaryOp, ScalarOp, UnaryOp } from '../../../src/backend/core-kernels.ts';
import { sizeOf } from '../../../src/tensor/shape.ts';
import { abs, cpu, expectClose, random, sumBound } from './support.ts';

const UNARY: UnaryOp[] = ['copy', 'neg', 'exp', 'abs', 'relu', 'sigmoid', 'tanh', 'sign'];
const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div'];
const SCALAR: Exclude<ScalarOp, 'pow'>[] = ['add', 'mul', 'rsub', 'rdiv', 'clampMin', 'clampMax'];

/** Registers the core-kernel parity tests for the backend `gpu()` returns. */
export function coreCases(gpu: () => Backend, large: boolean): void {
  // 70 001 elements: a 265×265 texture; 37: a single short row.
  const n = large ? 70_001 : 37;

  it('unary ops match, including large |x| and signed zeros', () => {
    const x = random(n, 1, -3, 3);
    x.set([0, -0, 50, -50, 100, -100, 1e-4, -1e-4]);
    for (const op of UNARY) expectClose(gpu().unary(op, x, n), cpu.unary(op, x, n), `unary ${op}`);
    const pos = random(n, 2, 1e-3, 5);
    for (const op of ['log', 'sqrt'] as const) expectClose(gpu().unary(op, pos, n), cpu.unary(op, pos, n), `unary ${op}`);
  });

  it('activation gradients match', () => {
    const x = random(n, 3, -3, 3), dy = random(n, 4);
    for (const op of ['relu', 'sigmoid', 'tanh'] as const) {
      const y = cpu.unary(op, x, n);
      expectClose(gpu().unaryGrad(op, x, y, dy, n), cpu.unaryGrad(op, x, y, dy, n), `unaryGrad ${op}`);
    }
  });

  it('binary ops match for equal shapes and every broadcasting pattern', () => {
    const rows = large ? 130 : 5, cols = large ? 541 : 7;
    const cases: [number[], number[]][] = [
      [[rows, cols], [rows, cols]],
      [[rows, cols], [cols]],          // bias row
      [[rows, cols], [rows, 1]],       // per-row
      [[rows, 1], [1, cols]],          // outer product: N×1 with 1×N
      [[1, cols], [rows, cols]],
      [[], [rows, cols]],              // a scalar tensor
      [[2, rows, 3], [rows, 1]],
    ];
    cases.forEach(([as, bs], c) => {
      const a = random(sizeOf(as), 10 + c);
      const b = random(sizeOf(bs), 20 + c, 0.5, 2); // away from 0, for div
      const out = as.length >= bs.length ? broadcast(as, bs) : broadcast(bs, as);
      // Every op on the first two patterns; elsewhere sub, which also catches swapped operands
      // (each op is a separate shader to compile, and GL compiles are slow under Mesa).
      for (const op of c < 2 || !large ? BINARY : (['sub'] as const)) {
        expectClose(gpu().binary(op, a, as, b, bs, out), cpu.binary(op, a, as, b, bs, out), `binary ${op} [${as}] with [${bs}]`);
      }
    });
  });

  it('scalar ops match', () => {
    const x = random(n, 5, -3, 3);
    for (const op of SCALAR) {
      for (const s of [0.3, -2]) expectClose(gpu().scalar(op, x, s, n), cpu.scalar(op, x, s, n), `scalar ${op} ${s}`);
    }
  });

  it('pow follows Math.pow: integer powers of negatives, zero bases, NaN for fractional powers of negatives', () => {
    const x = random(n, 6, -3, 3);
    x.set([0, -0, -2, 2, -1, 1]);
    for (const p of [2, 3, -1, 0, 0.5, 1.7, -2.5, 7, -3]) {
      // GLSL pow is exp2(p·log2 x): a few ulp of the exponent, relative 1e-5 for |x|^7 ≤ 2187.
      expectClose(gpu().scalar('pow', x, p, n), cpu.scalar('pow', x, p, n), `pow ${p}`, { rtol: 1e-5 });
    }
  });

  it('broadcastTo and permute match', () => {
    const b = random(large ? 541 : 7, 7);
    const rows = large ? 130 : 5;
    expectClose(gpu().broadcastTo(b, [b.length], [rows, b.length]), cpu.broadcastTo(b, [b.length], [rows, b.length]), 'broadcastTo rows');
    expectClose(gpu().broadcastTo(b, [1, b.length, 1], [3, b.length, 2]), cpu.broadcastTo(b, [1, b.length, 1], [3, b.length, 2]), 'broadcastTo middle');
    const shapes: [number[], number[]][] = [
      [[rows, b.length], [1, 0]],
      [[3, 5, 7], [2, 0, 1]],
      [[large ? 16 : 2, 3, large ? 31 : 4, large ? 29 : 5], [0, 2, 3, 1]], // NCHW → NHWC
      [[1, 9], [1, 0]],
    ];
    shapes.forEach(([shape, perm], c) => {
      const x = random(sizeOf(shape), 30 + c);
      expectClose(gpu().permute(x, shape, perm), cpu.permute(x, shape, perm), `permute [${shape}] by [${perm}]`);
    });
  });

  it('sumAxes matches over every subset of axes, and over long axes (two passes)', () => {
    const shape = [3, 5, 7, 2];
    const x = random(sizeOf(shape), 8);
    const masks = large ? [0b0000, 0b0001, 0b1000, 0b0010, 0b0101, 0b1010, 0b1001, 0b1111] : Array.from({ length: 16 }, (_, m) => m);
    for (const mask of masks) {
      const axes = [0, 1, 2, 3].filter((d) => mask & (1 << d));
      const bound = sumBound(cpu.sumAxes(abs(x), shape, axes), 210);
      expectClose(gpu().sumAxes(x, shape, axes), cpu.sumAxes(x, shape, axes), `sumAxes [${axes}]`, { bound });
    }
    const long = large ? 70_001 : 300; // above the single-pass limit either way
    const y = random(3 * long, 9);
    for (const [shape2, axes] of [[[3 * long], [0]], [[3, long], [1]], [[long, 3], [0]], [[3, long, 1], [1]]] as [number[], number[]][]) {
      const bound = sumBound(cpu.sumAxes(abs(y), shape2, axes), long);
      expectClose(gpu().sumAxes(y, shape2, axes), cpu.sumAxes(y, shape2, axes), `sumAxes [${shape2}] over [${axes}]`, { bound });
    }
  });

  it('maxAxis finds the same values and first indices, ties included, and scatterAxis inverts it', () => {
    const long = large ? 70_001 : 300;
    const layouts = [{ outer: 3, n: 5, inner: 7 }, { outer: 1, n: long, inner: 1 }, { outer: 2, n: long, inner: 3 }, { outer: 4, n: 1, inner: 3 }];
    layouts.forEach((layout, c) => {
      const size = layout.outer * layout.n * layout.inner;
      // Few distinct values, so nearly every max is tied and the first index must win.
      const x = random(size, 40 + c, -3, 3).map(Math.round);
      const g = gpu().maxAxis(x, layout), r = cpu.maxAxis(x, layout);
      expectClose(g.values, r.values, `maxAxis values ${JSON.stringify(layout)}`);
      expectClose(Float32Array.from(g.indices), Float32Array.from(r.indices), `maxAxis indices ${JSON.stringify(layout)}`);
      const dy = random(layout.outer * layout.inner, 50 + c);
      expectClose(gpu().scatterAxis(dy, r.indices, layout), cpu.scatterAxis(dy, r.indices, layout), 'scatterAxis');
    });
  });

  it('softmax and log-softmax match along any axis, stable for ±1000 logits, and so do their gradients', () => {
    const layouts = [{ outer: large ? 640 : 6, n: 10, inner: 1 }, { outer: 3, n: 5, inner: 7 }, { outer: 2, n: large ? 1000 : 20, inner: 1 }];
    layouts.forEach((layout, c) => {
      const size = layout.outer * layout.n * layout.inner;
      const x = random(size, 60 + c, -1000, 1000);
      const dy = random(size, 70 + c);
      for (const log of [false, true]) {
        const name = log ? 'logSoftmax' : 'softmax';
        // The row max is subtracted first, so errors scale with |x − max| (up to 2000).
        expectClose(gpu().softmax(x, layout, log), cpu.softmax(x, layout, log), `${name} ${JSON.stringify(layout)}`, { rtol: 2e-6, atol: log ? 2e-4 : 1e-6 });
        const y = cpu.softmax(x, layout, log);
        // Σ dy·y (or Σ dy) over a row carries the row's accumulated error into every element.
        const rowSums = sumBound(cpu.sumAxes(abs(dy), [layout.outer, layout.n, layout.inner], [1]), layout.n);
        const atol = 1e-6 + Math.max(...rowSums);
        expectClose(gpu().softmaxGrad(y, dy, layout, log), cpu.softmaxGrad(y, dy, layout, log), `${name}Grad`, { atol });
      }
    });
  });

  it('matmul matches for every transpose combination, batched, 1×N, N×1 and outputs of many texture rows', () => {
    const dims: [number, number, number, number][] = [[1, 1, 1, 1], [1, 1, 29, 13], [1, 29, 1, 13], [3, 17, 13, 11], [2, 5, 3, 0]];
    if (large) dims.push([2, 130, 141, 37], [1, 1, 20_000, 3]);
    const all = [[false, false], [true, false], [false, true], [true, true]] as const;
    dims.forEach(([batch, m, n2, k], c) => {
      const a = random(batch * m * k, 80 + c), b = random(batch * k * n2, 90 + c);
      // Every transpose combination on the general shapes; the edge shapes with none and both.
      const general = (m > 1 && n2 > 1 && k > 1) || !large;
      for (const [ta, tb] of general ? all : [all[0], all[3]]) {
        const bound = sumBound(cpu.matmul(abs(a), abs(b), batch, m, n2, k, ta, tb), k);
        expectClose(
          gpu().matmul(a, b, batch, m, n2, k, ta, tb), cpu.matmul(a, b, batch, m, n2, k, ta, tb),
          `matmul batch ${batch} ${m}×${k} @ ${k}×${n2} transA=${ta} transB=${tb}`, { bound },
        );
      }
    });
  });

  it('empty tensors give empty results', () => {
    const empty = new Float32Array(0);
    expectClose(gpu().unary('exp', empty, 0), empty, 'unary of nothing');
    expectClose(gpu().matmul(empty, random(6, 1), 1, 0, 3, 2, false, false), empty, 'matmul with m = 0');
    expectClose(gpu().sumAxes(empty, [0, 4], [0]), new Float32Array(4), 'sum over an empty axis');
  });
}

/** The broadcast result shape of a (at least as many dims) and b. */
function broadcast(a: number[], b: number[]): number[] {
  const off = a.length - b.length;
  return a.map((d, i) => (i < off ? d : Math.max(d, b[i - off])));
}
