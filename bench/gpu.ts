// Throughput of the gpu backend (gpu.js).
//
//   xvfb-run -a npx tsx bench/gpu.ts                    matmul 1024–4096, MNIST MLP training
//   xvfb-run -a npx tsx bench/gpu.ts --sizes 256,512    other matmul sizes
//   xvfb-run -a npx tsx bench/gpu.ts --conv             direct conv kernels vs im2col + matmul
//   … --mode cpu                                        a gpu.js mode other than the best found
//
// `xvfb-run -a` gives headless-gl a display where there is none; on a machine without a GPU
// that display is Mesa's software rasteriser (llvmpipe), so the figures measure the CPU
// running GLSL, not a GPU. Timings synchronise by reading back one element of the result,
// which makes the driver finish the queued work without timing a full readback.
import * as tg from 'tsgrad';
import { backend } from '../src/backend/registry.ts';
import { openRuntime } from '../src/backend/gpu/modes.ts';
import { convKernels } from '../src/backend/gpu/conv.ts';
import { matmulSource } from '../src/backend/gpu/matmul.ts';
import { indexLines } from '../src/backend/gpu/codegen.ts';
import type { GpuRuntime } from '../src/backend/gpu/runtime.ts';
import type { Conv2dGeometry } from '../src/backend/nn-kernels.ts';
import { toHost, type Storage } from '../src/tensor/storage.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mode = arg('--mode');

function random(size: number): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/** Waits for the device by reading back a single element computed from `s`. */
function sync(rt: GpuRuntime, s: Storage): number {
  return toHost(rt.run('function (x) { return x[0]; }', 1, [s]))[0];
}

/** Median seconds per call of `f` (after one warm-up call that also compiles). */
function time(rt: GpuRuntime, f: () => Storage, minSeconds = 1): number {
  sync(rt, f());
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < minSeconds * 1000 && times.length < 20)) {
    const t0 = performance.now();
    sync(rt, f());
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

function benchMatmul(rt: GpuRuntime, sizes: number[]): void {
  console.log(`matmul on gpu.js ${rt.mode} (C = A·B, n×n, float32)`);
  for (const n of sizes) {
    const a = rt.upload(random(n * n)), b = rt.upload(random(n * n));
    const s = time(rt, () => rt.run(matmulSource(1, n, n, n, false, false), n * n, [a, b]));
    console.log(`  ${String(n).padStart(5)}  ${((2 * n ** 3) / s / 1e9).toFixed(2).padStart(8)} GFLOPS  (${(s * 1000).toFixed(0)} ms)`);
  }
}

/** im2col + matmul forward convolution, for comparison with the direct kernel. */
function im2colConv(rt: GpuRuntime, x: Storage, w: Storage, g: Conv2dGeometry): Storage {
  const K = g.c * g.kh * g.kw, P = g.oh * g.ow;
  // cols [K, N·P]: row (c, ky, kx), column (n, oy, ox).
  const index = indexLines(
    'this.thread.x', [g.c, g.kh, g.kw, g.n, g.oh, g.ow],
    [[g.h * g.w, 0, 0, g.c * g.h * g.w, 0, 0], [0, 1, 0, 0, g.stride, 0], [0, 0, 1, 0, 0, g.stride]],
    ['base', 'y0', 'x0'],
  );
  const cols = rt.run(
    `function (x) {\n${index}\nconst y = y0 - ${g.padding}; const xx = x0 - ${g.padding};\n` +
    `if (y >= 0 && y < ${g.h} && xx >= 0 && xx < ${g.w}) { return x[base + y * ${g.w} + xx]; } return 0; }`,
    K * g.n * P, [x],
  );
  const out = rt.run(matmulSource(1, g.o, g.n * P, K, false, false), g.o * g.n * P, [w, cols]);
  // [O, N, P] → [N, O, P]
  const perm = indexLines('this.thread.x', [g.n, g.o, P], [[P, g.n * P, 1]], ['src']);
  return rt.run(`function (y) {\n${perm}\nreturn y[src]; }`, g.n * g.o * P, [out]);
}

function benchConv(rt: GpuRuntime): void {
  console.log(`conv2d forward on gpu.js ${rt.mode}: direct kernel vs im2col + matmul (ms per call)`);
  const direct = convKernels(rt);
  const specs = [
    { n: 64, c: 1, h: 28, w: 28, o: 8, kh: 5, kw: 5, stride: 1, padding: 2 },
    { n: 64, c: 8, h: 14, w: 14, o: 16, kh: 3, kw: 3, stride: 1, padding: 1 },
    { n: 32, c: 16, h: 16, w: 16, o: 32, kh: 3, kw: 3, stride: 1, padding: 1 },
  ];
  for (const s of specs) {
    const g: Conv2dGeometry = { ...s, oh: (s.h + 2 * s.padding - s.kh) / s.stride + 1, ow: (s.w + 2 * s.padding - s.kw) / s.stride + 1 };
    const x = rt.upload(random(g.n * g.c * g.h * g.w)), w = rt.upload(random(g.o * g.c * g.kh * g.kw));
    const a = toHost(direct.conv2d(x, w, null, g)), b = toHost(im2colConv(rt, x, w, g));
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    const td = time(rt, () => direct.conv2d(x, w, null, g));
    const ti = time(rt, () => im2colConv(rt, x, w, g));
    console.log(`  ${JSON.stringify(s)}\n    direct ${(td * 1000).toFixed(1)} ms   im2col+matmul ${(ti * 1000).toFixed(1)} ms   (max |difference| ${diff.toExponential(1)})`);
  }
}

/** MNIST 784-128-10 MLP, batch 64, SGD with momentum: samples per second over `batches` steps. */
function benchMnist(backendName: 'gpu' | 'cpu', batches: number): void {
  if (backendName === 'gpu') tg.setBackend('gpu', mode ? { mode } : undefined);
  else tg.setBackend('cpu');
  const { images, labels } = tg.data.loadMnist({ split: 'train' });
  const loader = new tg.data.DataLoader({ images, labels }, { batchSize: 64, shuffle: true, seed: 1 });
  tg.manualSeed(1);
  const net = new tg.nn.Sequential(new tg.nn.Flatten(), new tg.nn.Dense(784, 128), new tg.nn.ReLU(), new tg.nn.Dense(128, 10));
  const opt = new tg.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
  const lossFn = new tg.nn.CrossEntropyLoss();
  let step = 0, t0 = 0, last = 0;
  for (const batch of loader) {
    if (step === 3) t0 = performance.now(); // the first steps compile every kernel
    opt.zeroGrad();
    const loss = lossFn.forward(net.forward(batch.x), batch.y);
    loss.backward();
    opt.step();
    last = loss.item(); // read every step, as a progress bar would
    if (++step === batches + 3) break;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`  ${backend().mode.padEnd(28)} ${((batches * 64) / s).toFixed(0).padStart(7)} samples/s  (${batches} batches of 64, last loss ${last.toFixed(3)})`);
}

const rt = openRuntime(mode);
if (process.argv.includes('--conv')) {
  benchConv(rt);
} else {
  const sizes = (arg('--sizes') ?? '1024,2048,4096').split(',').map(Number);
  benchMatmul(rt, sizes);
  const batches = Number(arg('--batches') ?? 50);
  console.log('MNIST MLP 784-128-10 training (forward, backward, SGD step, loss read back each step)');
  benchMnist('gpu', batches);
  benchMnist('cpu', batches);
}
