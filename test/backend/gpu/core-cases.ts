/**
 * Parity cases for the primitive kernels of src/backend/backend.ts: each gpu kernel against
 * the cpu backend (itself tested against naive loops in test/backend/cpu-kernels.test.ts) on
 * seeded data. Registered once per gpu.js mode by core.test.ts; `large` adds sizes whose
 * outputs span many texture rows (gpu.js packs n outputs into a ~√n × √n texture) and long
 * reduction axes that take the two-pass path (axes above 256 elements).
 */
import { it } from 'vitest';
import type { Backend } from '../../../src/backend/backend.ts';
import { sizeOf } from '../../../src/tensor/shape.ts';
import { toHost } from '../../../src/tensor/storage.ts';
import { randomInts } from '../../helpers/random.ts';
import { abs, cpu, expectClose, random, sumBound } from './support.ts';

/** Every subset of {0, …, n−1}. */
const subsets = (n: number) => Array.from({ length: 2 ** n }, (_, m) => Array.from({ length: n }, (_, d) => d).filter((d) => m & (1 << d)));

export function coreCases(gpu: () => Backend, large: boolean): void {
  // Above the single-pass limit of 256 either way; 70 001 is a 265×265 texture.
  const long = large ? 70_001 : 300;

  it('reduce: sum over every subset of axes, max and min over several, and long axes in two passes', () => {
    const shape = [3, 5, 7, 2];
    const x = random(sizeOf(shape), 1);
    for (const axes of subsets(4)) {
      const bound = sumBound(cpu.reduce('sum', abs(x), shape, axes, 'float32', 'float32'), 210);
      expectClose(gpu().reduce('sum', x, shape, axes, 'float32', 'float32'), cpu.reduce('sum', x, shape, axes, 'float32', 'float32'), `sum over [${axes}]`, { bound });
    }
    for (const axes of large ? [[1], [0, 2], [3], [0, 1, 2, 3]] : subsets(4)) {
      for (const op of ['max', 'min'] as const) {
        expectClose(gpu().reduce(op, x, shape, axes, 'float32', 'float32'), cpu.reduce(op, x, shape, axes, 'float32', 'float32'), `${op} over [${axes}]`, { rtol: 0, atol: 0 });
      }
    }
    const y = random(3 * long, 2);
    for (const [s, axes] of [[[3 * long], [0]], [[3, long], [1]], [[long, 3], [0]], [[3, long, 1], [1, 2]]] as [number[], number[]][]) {
      const bound = sumBound(cpu.reduce('sum', abs(y), s, axes, 'float32', 'float32'), long);
      expectClose(gpu().reduce('sum', y, s, axes, 'float32', 'float32'), cpu.reduce('sum', y, s, axes, 'float32', 'float32'), `sum [${s}] over [${axes}]`, { bound });
      expectClose(gpu().reduce('max', y, s, axes, 'float32', 'float32'), cpu.reduce('max', y, s, axes, 'float32', 'float32'), `max [${s}] over [${axes}]`, { rtol: 0, atol: 0 });
    }
  });

  it('reduce: NaN propagates through every pass, ±∞ are ordinary, int32 sums are exact, no axes copies', () => {
    const y = random(2 * long, 3);
    y[long - 5] = NaN; // deep inside the first row's last chunk
    y[long + 7] = Infinity;
    for (const op of ['sum', 'max', 'min'] as const) {
      expectClose(gpu().reduce(op, y, [2, long], [1], 'float32', 'float32'), cpu.reduce(op, y, [2, long], [1], 'float32', 'float32'), `${op} with NaN and ∞`,
        { bound: sumBound(cpu.reduce('sum', abs(y.map((v) => (Number.isFinite(v) ? v : 0))), [2, long], [1], 'float32', 'float32'), long) });
    }
    const ints = randomInts(999, 4, -1000, 1000);
    expectClose(gpu().reduce('sum', ints, [999], [0], 'int32', 'int32'), cpu.reduce('sum', Int32Array.from(ints), [999], [0], 'int32', 'int32'), 'int32 sum', { rtol: 0, atol: 0 });
    const x = random(12, 5);
    expectClose(gpu().reduce('sum', x, [3, 4], [], 'float32', 'float32'), x, 'no axes', { rtol: 0, atol: 0 });
  });

  it('argReduce: first index on ties, a NaN wins, long axes in several passes', () => {
    const layouts = [{ outer: 3, n: 5, inner: 7 }, { outer: 1, n: long, inner: 1 }, { outer: 2, n: long, inner: 3 }, { outer: 4, n: 1, inner: 3 }];
    layouts.forEach((l, c) => {
      const size = l.outer * l.n * l.inner;
      // Few distinct values: nearly every extreme is tied, and the first must win.
      const x = randomInts(size, 10 + c, -3, 3);
      if (c === 2) { x[5 * 3 + 1] = NaN; x[(long + 200) * 3 + 2] = NaN; x[(long + 201) * 3 + 2] = NaN; }
      for (const op of ['argmax', 'argmin'] as const) {
        expectClose(gpu().argReduce(op, x, l), cpu.argReduce(op, x, l), `${op} ${JSON.stringify(l)}`, { rtol: 0, atol: 0 });
      }
    });
  });

  it('strided: permutations, broadcasts, slices and repeats, on outputs of many texture rows', () => {
    const rows = large ? 130 : 5, cols = large ? 541 : 7;
    const x = random(rows * cols * 2, 20);
    const cases: [number[], number[], number][] = [
      [[cols, rows], [1, cols], 0],                        // a transpose
      [[2, cols, rows], [rows * cols, 1, cols], 0],        // a batched transpose
      [[3, rows, cols], [0, cols, 1], 0],                  // a new broadcast leading dimension
      [[rows, 4, cols], [cols, 0, 1], 0],                  // a broadcast middle dimension
      [[rows - 1, cols - 2], [cols, 1], cols + 1],         // a slice with an offset
      [[2, rows, 2, cols], [0, cols, 0, 1], 0],            // a repeat (pairs of repeat and size)
      [[1, 1], [0, 0], 3],
    ];
    for (const [shape, strides, offset] of cases) {
      expectClose(gpu().strided(x, 'float32', shape, strides, offset), cpu.strided(x, 'float32', shape, strides, offset), `strided [${shape}] by [${strides}] +${offset}`, { rtol: 0, atol: 0 });
    }
  });

  it('pad and concat, with zero-length parts', () => {
    const rows = large ? 130 : 5, cols = large ? 541 : 7;
    const x = random(rows * cols, 30);
    for (const begin of [[0, 0], [2, 3], [3, 0]]) {
      expectClose(gpu().pad(x, 'float32', [rows, cols], [rows + 3, cols + 4], begin), cpu.pad(x, 'float32', [rows, cols], [rows + 3, cols + 4], begin), `pad at [${begin}]`, { rtol: 0, atol: 0 });
    }
    const shapes = [[2, rows, 3], [2, 1, 3], [2, 0, 3], [2, cols, 3]];
    const parts = shapes.map((s, k) => random(sizeOf(s), 40 + k));
    for (const axis of [1]) {
      expectClose(gpu().concat(parts, shapes, axis, 'float32'), cpu.concat(parts, shapes, axis, 'float32'), `concat axis ${axis}`, { rtol: 0, atol: 0 });
    }
    const flat = [[rows * cols], [0], [7]];
    const fp = flat.map((s, k) => random(sizeOf(s), 50 + k));
    expectClose(gpu().concat(fp, flat, 0, 'float32'), cpu.concat(fp, flat, 0, 'float32'), 'concat 1-D', { rtol: 0, atol: 0 });
  });

  it('gather and scatterAdd: a broadcast 1-D selection, a full index, repeated indices adding up', () => {
    const rows = large ? 400 : 6, cols = 7;
    const x = random(rows * cols, 60);
    const k = large ? 1000 : 9;
    const sel = Int32Array.from({ length: k }, (_, i) => (i * 13 + 5) % rows);
    const selF = Float32Array.from(sel);
    expectClose(gpu().gather(x, [rows, cols], 'float32', 0, selF, [k, 1], [k, cols]), cpu.gather(x, [rows, cols], 'float32', 0, sel, [k, 1], [k, cols]), 'indexSelect rows', { rtol: 0, atol: 0 });
    const full = Int32Array.from({ length: rows * 3 }, (_, i) => (i * 5) % cols);
    expectClose(gpu().gather(x, [rows, cols], 'float32', 1, Float32Array.from(full), [rows, 3], [rows, 3]), cpu.gather(x, [rows, cols], 'float32', 1, full, [rows, 3], [rows, 3]), 'gather along columns', { rtol: 0, atol: 0 });
    const dy = random(k * cols, 61);
    const back = cpu.scatterAdd(dy, [k, cols], 0, sel, [k, 1], [rows, cols]);
    // Up to ⌈k/rows⌉ values add at each position.
    expectClose(gpu().scatterAdd(dy, [k, cols], 0, selF, [k, 1], [rows, cols]), back, 'scatterAdd rows', { bound: sumBound(cpu.scatterAdd(abs(dy), [k, cols], 0, sel, [k, 1], [rows, cols]), Math.ceil(k / rows)) });
    // torch.gather's backward with an index smaller than the output outside the axis.
    const idx = Int32Array.from({ length: 2 * 5 }, (_, i) => (i % 2) * 3);
    const src = random(10, 62);
    expectClose(gpu().scatterAdd(src, [2, 5], 1, Float32Array.from(idx), [2, 5], [3, 7]), cpu.scatterAdd(src, [2, 5], 1, idx, [2, 5], [3, 7]), 'scatterAdd into a larger output', { rtol: 1e-6, atol: 1e-6 });
  });

  it('matmul: every transpose combination, bias, batches, 1×N, N×1, k = 0 and outputs of many texture rows', () => {
    const dims: [number, number, number, number][] = [[1, 1, 1, 1], [1, 1, 29, 13], [1, 29, 1, 13], [3, 17, 13, 11], [2, 5, 3, 0]];
    if (large) dims.push([2, 130, 141, 37], [1, 1, 20_000, 3]);
    const all = [[false, false], [true, false], [false, true], [true, true]] as const;
    dims.forEach(([batch, m, n, k], c) => {
      const a = random(batch * m * k, 70 + c), b = random(batch * k * n, 80 + c), bias = random(n, 90 + c);
      const general = (m > 1 && n > 1 && k > 1) || !large;
      for (const [ta, tb] of general ? all : [all[0], all[3]]) {
        for (const withBias of [false, true]) {
          const bb = withBias ? bias : null;
          const bound = sumBound(cpu.matmul(abs(a), abs(b), batch, m, n, k, ta, tb, bb ? abs(bb) : null), k + 1);
          expectClose(gpu().matmul(a, b, batch, m, n, k, ta, tb, bb), cpu.matmul(a, b, batch, m, n, k, ta, tb, bb),
            `matmul ${batch}×[${m}×${k}]@[${k}×${n}] transA=${ta} transB=${tb} bias=${withBias}`, { bound });
        }
      }
    });
  });

  it('softmax and log-softmax along any axis, stable for ±1000 logits, −∞ entries, and their gradients', () => {
    const layouts = [{ outer: large ? 640 : 6, n: 10, inner: 1 }, { outer: 3, n: 5, inner: 7 }, { outer: 2, n: large ? 1000 : 20, inner: 1 }];
    layouts.forEach((l, c) => {
      const size = l.outer * l.n * l.inner;
      const x = random(size, 100 + c, -1000, 1000);
      x[1] = -Infinity;
      const dy = random(size, 110 + c);
      for (const log of [false, true]) {
        const name = log ? 'logSoftmax' : 'softmax';
        // The row max is subtracted first, so errors scale with |x − max| (up to 2000).
        expectClose(gpu().softmax(x, l, log), cpu.softmax(x, l, log), `${name} ${JSON.stringify(l)}`, { rtol: 2e-6, atol: log ? 2e-4 : 1e-6 });
        const y = cpu.softmax(x, l, log);
        // Σ dy·y (or Σ dy) over a row carries the row's accumulated error into every element.
        const rowSums = toHost(sumBound(cpu.reduce('sum', abs(dy), [l.outer, l.n, l.inner], [1], 'float32', 'float32'), l.n));
        expectClose(gpu().softmaxGrad(y, dy, l, log), cpu.softmaxGrad(y, dy, l, log), `${name}Grad ${JSON.stringify(l)}`, { atol: 1e-6 + Math.max(...rowSums) });
      }
    });
  });

  it('empty inputs give empty results, and an empty reduction axis sums to 0', () => {
    const empty = new Float32Array(0);
    expectClose(gpu().matmul(empty, random(6, 1), 1, 0, 3, 2, false, false), empty, 'matmul with m = 0');
    expectClose(gpu().reduce('sum', empty, [0, 4], [0], 'float32', 'float32'), new Float32Array(4), 'sum over an empty axis');
    expectClose(gpu().strided(empty, 'float32', [0, 3], [3, 1], 0), empty, 'strided');
    expectClose(gpu().concat([empty, random(3, 2)], [[0], [3]], 0, 'float32'), cpu.concat([empty, random(3, 2)], [[0], [3]], 0, 'float32'), 'concat with an empty part');
  });
}
