/**
 * Host arrays reused between steps (src/tensor/host-pool.ts): a disposed tensor's array serves
 * the next tensor of its size, and never one that user code can still see.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { pooledArrayBytes } from '../../src/tensor/host-pool.ts';
import { residentArrays } from '../../src/backend/cpu/resident.ts';
import { wasmGemm } from '../../src/backend/cpu/gemm-wasm.ts';

const N = 5000; // above the pool's minimum size

describe('host arrays are reused across tidy steps', () => {
  it('a tensor made after a tidy disposed one of the same size and dtype gets its array', () => {
    const x = tg.keep(tg.rand([N]));
    let first: unknown = null;
    tg.tidy(() => { first = x.mul(2).storage; });
    const again = tg.tidy(() => x.mul(3));
    expect(again.storage).toBe(first);
    expect(Array.from(again.data.subarray(0, 5))).toEqual(Array.from(x.data.subarray(0, 5), (v) => Math.fround(v * 3)));
    again.dispose(); x.dispose();
  });

  it('a reused array comes back zeroed where the op needs zeros (tg.zeros, the gradient of narrow)', () => {
    tg.tidy(() => { tg.ones([N]).mul(7); });
    expect(tg.zeros([N]).data.every((v) => v === 0)).toBe(true);
    tg.tidy(() => { tg.ones([N]).mul(7); });
    // narrow's gradient pads dy with zeros back to the input's shape.
    const x = tg.ones([N], { requiresGrad: true });
    tg.tidy(() => { x.narrow(0, 0, 10).sum().backward(); });
    expect(Array.from(x.grad!.data).reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('an array read through .data is never handed to another tensor', () => {
    const x = tg.keep(tg.rand([N]));
    const seen = tg.tidy(() => x.mul(2).data);
    const copy = Array.from(seen);
    for (let i = 0; i < 3; i++) tg.tidy(() => { x.mul(5); x.add(1); });
    expect(Array.from(seen)).toEqual(copy);
    x.dispose();
  });

  it('an array shared by a view returns to the pool only with its last tensor', () => {
    const x = tg.keep(tg.rand([N]));
    const view = tg.tidy(() => x.mul(2).reshape([50, 100]));
    const values = Array.from(view.data);
    // view.data exposed it; make a fresh one without reading it:
    const v2 = tg.tidy(() => x.mul(4).reshape([100, 50]));
    const held = v2.storage;
    for (let i = 0; i < 3; i++) tg.tidy(() => { x.mul(9); });
    expect(v2.storage).toBe(held);
    expect(Array.from(v2.data.subarray(0, 3))).toEqual(Array.from(x.data.subarray(0, 3), (v) => Math.fround(v * 4)));
    expect(Array.from(view.data)).toEqual(values);
    view.dispose(); v2.dispose(); x.dispose();
  });

  it('the pool holds at most 256 MB of released arrays in JavaScript memory', () => {
    // int32: never from the cpu backend's resident memory.
    tg.tidy(() => { for (let i = 0; i < 40; i++) tg.zeros([2 ** 21], { dtype: 'int32' }); }); // 40 × 8 MB released at once
    expect(pooledArrayBytes('host')).toBeLessThanOrEqual(256 * 2 ** 20);
    expect(pooledArrayBytes('host')).toBeGreaterThan(200 * 2 ** 20);
  });

  it('released resident arrays all wait for reuse, so a step as big as the last takes no new resident memory', () => {
    // Where the GEMM runs on threads (2 cores and more), float32 arrays inside tidy are resident.
    const resident = residentArrays();
    expect(resident !== null).toBe((wasmGemm()?.threads ?? 1) > 1);
    if (resident === null) return;
    const step = () => tg.tidy(() => { for (let i = 0; i < 40; i++) tg.zeros([2 ** 21]); }); // 320 MB
    step();
    const reserved = resident.reservedBytes;
    step();
    expect(resident.reservedBytes).toBe(reserved);
    expect(pooledArrayBytes()).toBeGreaterThanOrEqual(320 * 2 ** 20);
  });

  it('a conv net\'s training step takes no new resident memory after its first: every array its backward makes is a tensor\'s', () => {
    // The Conv2D + ReLU pairs run fused, and their backward makes the masked gradient the
    // input gradient reads ([64,16,8,8]: resident). Held by no tensor, it went back only when
    // collected, and each step took new memory (and grew it) for its own.
    const resident = residentArrays();
    if (resident === null) return;
    tg.manualSeed(4);
    const { nn } = tg;
    const net = new nn.Sequential(
      new nn.Conv2D(1, 8, 5), new nn.ReLU(), new nn.MaxPool2D(2),
      new nn.Conv2D(8, 16, 5), new nn.ReLU(), new nn.Flatten(), new nn.Dense(16 * 8 * 8, 10),
    );
    const opt = new tg.optim.Adam(net.parameters());
    const x = tg.keep(tg.randn([64, 1, 28, 28]));
    const step = () => tg.tidy(() => {
      opt.zeroGrad();
      net.forward(x).pow(2).mean().backward();
      opt.step();
    });
    step();
    step();
    const reserved = resident.reservedBytes;
    for (let i = 0; i < 5; i++) step();
    expect(resident.reservedBytes).toBe(reserved);
  });
});

describe('arrays held outside a tensor are never reused', () => {
  it('after findLr with a reference (unfused) optimizer, the parameters hold arrays no other tensor gets', () => {
    tg.manualSeed(4);
    const model = new tg.nn.Sequential(new tg.nn.Dense(40, 64), new tg.nn.ReLU(), new tg.nn.Dense(64, 3));
    // fused: false replaces each parameter's storage every step, releasing the original one.
    const opt = new tg.optim.SGD(model.parameters(), { lr: 0.01, fused: false });
    const x = tg.keep(tg.randn([32, 40]));
    const y = Int32Array.from({ length: 32 }, (_, i) => i % 3);
    const loader = Array.from({ length: 12 }, () => ({ x, y }));
    // Read through a copy: p.data would mark the parameter's own array as never reusable.
    const values = () => model.parameters().map((p) => tg.tidy(() => Array.from(p.mul(1).data)));
    const weights = values();
    tg.optim.findLr(model, loader, { optimizer: opt, loss: new tg.nn.CrossEntropyLoss(), steps: 10 });
    expect(values()).toEqual(weights);
    // Steps that allocate arrays of the parameters' sizes must not write into the parameters.
    for (let i = 0; i < 3; i++) tg.tidy(() => { for (const p of model.parameters()) p.mul(7).add(1); });
    expect(values()).toEqual(weights);
    x.dispose();
  });
});
