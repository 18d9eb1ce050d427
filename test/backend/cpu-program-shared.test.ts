/**
 * Elementwise programs on resident arrays, shared among threads (src/backend/cpu/program-shared.ts,
 * resident.ts, program-chunk.ts), through runProgram and through an optimizer, against a
 * float32-per-operation reference written out here (what the SIMD loop computes, bit for bit).
 *
 * Sizes: the smallest that moves (RESIDENT_MIN_ELEMENTS), one past it, a size whose chunks
 * split across the two threads with a ragged tail (65537: four chunks, the last 16337), a prime
 * past 200k, and 2²⁰ + 5. Each runs several steps, so that both the threaded and the
 * one-thread mode run (thread-choice.ts explores the other every 16th run).
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { createWasmGemm, wasmGemm } from '../../src/backend/cpu/gemm-wasm.ts';
import { runProgram } from '../../src/backend/cpu/program.ts';
import { RESIDENT_MIN_ELEMENTS, ResidentArrays, residentArrays } from '../../src/backend/cpu/resident.ts';
import { program, type ProgramArgs } from '../../src/backend/program.ts';
import type { HostArray } from '../../src/tensor/dtype.ts';
import type { Storage } from '../../src/tensor/storage.ts';
import { syncCollector } from '../../src/platform/node/index.ts';
import { random } from '../helpers/random.ts';

const SIZES = [RESIDENT_MIN_ELEMENTS, RESIDENT_MIN_ELEMENTS + 1, 65537, 200003, (1 << 20) + 5];
const f = Math.fround;

const arg = (data: HostArray) => ({ storage: data as Storage, shape: [data.length], dtype: 'float32' as const });

function run(source: string, args: ProgramArgs<Storage>, n: number, inPlace: boolean): Record<string, Float32Array> {
  return runProgram(program(source), args, [n], inPlace) as Record<string, Float32Array>;
}

function expectBits(got: Float32Array, want: ArrayLike<number>, label: string): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], f(want[i]))) expect.fail(`${label}: [${i}] is ${got[i]}, want ${f(want[i])}`);
  }
}

// A momentum update: two arrays updated in place, one read (the gradient), two numbers.
const UPDATE = 'm = beta * m + g\n p = p - lr * m / (sqrt(abs(m)) + 1)';
const beta = 0.9, lr = 0.01;
function reference(p: Float32Array, m: Float32Array, g: Float32Array): { p: number[]; m: number[] } {
  const m1 = Array.from(m, (mi, i) => f(f(f(beta) * mi) + g[i]));
  const p1 = Array.from(p, (pi, i) => f(pi - f(f(f(lr) * m1[i]) / f(f(Math.sqrt(Math.abs(m1[i]))) + 1))));
  return { p: p1, m: m1 };
}

const threaded = (wasmGemm()?.threads ?? 1) > 1;

describe('resident arrays: where the memory is shared they exist, elsewhere nothing moves', () => {
  it('the backend has them exactly when its GEMM runs on more than one thread', () => {
    expect(residentArrays() !== null).toBe(threaded);
  });
});

describe('programs on resident arrays', () => {
  for (const n of SIZES) {
    it(`n = ${n}: the first update in place moves p and m, the next ones update them where they lie; every step exact`, () => {
      let p = random(n, 1, -2, 2), m = random(n, 2, -1, 1);
      const resident = residentArrays();
      for (let step = 0; step < 20; step++) {
        const g = random(n, 3 + step, -1, 1);
        const want = reference(p, m, g);
        const r = run(UPDATE, { p: arg(p), m: arg(m), g: arg(g), beta, lr }, n, true);
        expectBits(r.p, want.p, `step ${step} p`);
        expectBits(r.m, want.m, `step ${step} m`);
        if (resident !== null) {
          expect(resident.has(r.p) && resident.has(r.m), `step ${step}: resident`).toBe(true);
          if (step > 0) {
            expect(r.p, `step ${step}: p updated where it lies`).toBe(p);
            expect(r.m, `step ${step}: m updated where it lies`).toBe(m);
          }
          expect(resident.has(g), 'the gradient, only read, stays where it is').toBe(false);
        } else {
          expect(r.p).toBe(p);
        }
        p = r.p;
        m = r.m;
      }
    });
  }

  it('a resident input read out of place stays as it was; the output is a new ordinary array', () => {
    const n = 65537;
    const moved = run('x = x * 2', { x: arg(random(n, 5)) }, n, true).x;
    const before = moved.slice();
    for (let i = 0; i < 20; i++) {
      const out = run('y = x * 3 + 1', { x: arg(moved) }, n, false).y;
      expectBits(out, Array.from(before, (v) => f(f(v * 3) + 1)), 'y');
      expect(residentArrays()?.has(out) ?? false).toBe(false);
      expectBits(moved, before, 'x unchanged');
    }
    // Out of place with the output named like the resident input: a new array, the input kept.
    const out = run('x = x + 1', { x: arg(moved) }, n, false).x;
    expect(out).not.toBe(moved);
    expectBits(out, Array.from(before, (v) => f(v + 1)), 'x + 1');
    expectBits(moved, before, 'x unchanged by x = x + 1 out of place');
  });

  it('the same array as two inputs, updated in place', () => {
    const n = 200003;
    let x = random(n, 6, -1.5, 1.5);
    for (let step = 0; step < 3; step++) {
      const want = Array.from(x, (v) => f(f(v * v) - v));
      const r = run('x = x * y - x', { x: arg(x), y: arg(x) }, n, true);
      expectBits(r.x, want, `step ${step}`);
      x = r.x;
    }
  });

  it('a one-element tensor and broadcast numbers alongside resident arrays', () => {
    const n = 65537;
    let p = random(n, 7);
    const scale = new Float32Array([0.25]);
    for (let step = 0; step < 3; step++) {
      const want = Array.from(p, (v) => f(f(v * scale[0]) + f(0.1)));
      const r = runProgram(program('p = p * s + c'), { p: arg(p), s: { storage: scale, shape: [1], dtype: 'float32' }, c: 0.1 }, [n], true) as Record<string, Float32Array>;
      expectBits(r.p, want, `step ${step}`);
      p = r.p;
    }
  });
});

describe('an optimizer on resident parameters', () => {
  it('Adam: the parameter and its moments move at the first fused step and stay; every step equals the unfused reference', () => {
    const n = 70001;
    const init = random(n, 8);
    const fused = new tg.nn.Parameter(tg.tensor(init.slice()));
    const plain = new tg.nn.Parameter(tg.tensor(init.slice()));
    const a = new tg.optim.Adam([fused], { lr: 0.01, weightDecay: 0.1 });
    const b = new tg.optim.Adam([plain], { lr: 0.01, weightDecay: 0.1, fused: false });
    let storage: unknown = null;
    for (let step = 0; step < 5; step++) {
      const g = random(n, 20 + step);
      fused.grad = tg.tensor(g);
      plain.grad = tg.tensor(g.slice());
      a.step();
      b.step();
      const got = fused.data, want = plain.data;
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      expect(worst, `step ${step}`).toBeLessThan(1e-6);
      if (threaded) {
        expect(residentArrays()!.has(fused.storage), `step ${step}: resident`).toBe(true);
        if (step > 0) expect(fused.storage, `step ${step}: the same resident array`).toBe(storage);
      }
      storage = fused.storage;
    }
  });
});

describe('resident blocks', () => {
  it('a collected array gives its block back, and the next array of that size gets it', () => {
    const collector = syncCollector();
    expect(collector, 'this Node offers a synchronous collection').not.toBeNull();
    const kernel = createWasmGemm({ threads: 2 });
    const resident = new ResidentArrays(kernel, collector!.Registry as unknown as typeof FinalizationRegistry);
    const keep = resident.allocate(50000)!;
    let dropped: Float32Array | null = resident.allocate(50000)!;
    const at = dropped.byteOffset;
    expect(at % 64).toBe(0);
    expect(keep.byteOffset + 50000 * 4).toBeLessThanOrEqual(at);
    const reserved = resident.reservedBytes;
    dropped = null;
    collector!.gc();
    resident.sweep();
    expect(resident.freeBytes()).toBe(Math.ceil((50000 * 4) / 64) * 64);
    const again = resident.allocate(50000)!;
    expect(again.byteOffset).toBe(at);
    expect(resident.reservedBytes).toBe(reserved);
    expect(keep.length).toBe(50000);
  });

  it('reserving moves the GEMM workspace above the resident arrays, and products stay right', () => {
    const kernel = createWasmGemm({ threads: 2 });
    const resident = new ResidentArrays(kernel);
    const x = resident.allocate(100000)!;
    x.fill(7);
    const a = random(300 * 200, 9), b = random(200 * 100, 10), c = new Float32Array(300 * 100);
    expect(kernel.run(a, b, c, 300, 100, 200, false, false, false)).toBe(true);
    let worst = 0;
    for (let i = 0; i < 300; i += 37) for (let j = 0; j < 100; j += 13) {
      let s = 0;
      for (let k = 0; k < 200; k++) s += a[i * 200 + k] * b[k * 100 + j];
      worst = Math.max(worst, Math.abs(c[i * 100 + j] - s));
    }
    expect(worst).toBeLessThan(1e-4);
    expect(x.every((v) => v === 7), 'the resident array is untouched by the product').toBe(true);
  });
});
