// Shared by the peer runners: workload definitions, seeded data, the timing loop and the
// one-line JSON report. Every runner measures the same shapes and settings defined here.
import { readFileSync } from 'node:fs';
import { loadMnist } from './mnist.mjs';

// Peer libraries (tfjs in particular) print banners with console.log; stdout must carry
// exactly one JSON line, so everything else goes to stderr.
console.log = console.error;
console.info = console.error;
console.warn = console.error;

// The workloads and their settings live in workloads.json, which the Python runner
// (pytorch.py) reads too, so every framework measures exactly the same thing.
const SPEC = JSON.parse(readFileSync(new URL('./workloads.json', import.meta.url), 'utf8'));

export const WORKLOADS = SPEC.workloads;

/** conv: conv2d forward + backward (input and weight gradients), NCHW-equivalent shapes, no bias where the peer allows. */
export const CONV = SPEC.conv;

/** mlp/cnn/mnist-cnn training: batch 64, Adam lr 1e-3 (betas 0.9/0.999, eps 1e-8), softmax cross-entropy. */
export const TRAIN = SPEC.train;

/**
 * mnist-cnn: the model `npm run mnist` trains (src/train/zoo.ts `cnn`): conv5×5×32-ReLU-maxpool2-
 * conv5×5×64-ReLU-maxpool2-dense1024→128-ReLU-dropout 0.25-dense10, valid convs.
 */
export const MNIST_CNN = SPEC.mnistCnn;

/**
 * resnet: the ResNet-14 of examples/cifar10-resnet.ts (conv3×3×16-BN-ReLU, then two BasicBlocks
 * per stage of 16, 32 and 64 channels, the last two stages starting with stride 2 and a 1×1
 * projection, global average pooling, dense 10), training mode, on `batches` batches of seeded
 * CIFAR-shaped images [128, 3, 32, 32] (seeds 7, 8, …) with labels i mod 10, SGD with Nesterov
 * momentum, softmax cross-entropy.
 */
export const RESNET = SPEC.resnet;

/**
 * optim-*: one tensor of 1M parameters, a fixed gradient, these settings.
 * Same hyper-parameters everywhere; they do not change the arithmetic per element.
 */
export const OPTIM = SPEC.optim;

/** Number of MNIST training images cycled through for mlp/cnn (the first N of the train split). */
export const MNIST_SAMPLES = Number(process.env.BENCH_MNIST_N ?? 6400);

const REPS = Number(process.env.BENCH_REPS ?? 5);
const REP_SECONDS = Number(process.env.BENCH_REP_S ?? 2);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_S ?? 1);
// A workload whose single step is slower than this gets fewer repetitions, so runs stay short.
const SLOW_STEP_SECONDS = Number(process.env.BENCH_SLOW_STEP_S ?? 3);

/** Installed version of a peer package (read from its package.json; some packages do not export it). */
export function packageVersion(name) {
  return JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}

/** Deterministic float32 data in [-1, 1) (mulberry32), identical for every runner given the seed. */
export function seededArray(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** The first MNIST_SAMPLES training images cut into whole batches: [{ images: Float32Array [B*784], labels: Int32Array [B] }]. */
export function mnistBatches(batchSize = TRAIN.batchSize) {
  const { images, labels, n } = loadMnist({ split: 'train', limit: MNIST_SAMPLES });
  const batches = [];
  for (let start = 0; start + batchSize <= n; start += batchSize) {
    batches.push({
      images: images.subarray(start * 784, (start + batchSize) * 784),
      labels: labels.subarray(start, start + batchSize),
    });
  }
  return batches;
}

export function matmulSize(workload) {
  const m = /^matmul(\d+)$/.exec(workload);
  return m ? Number(m[1]) : null;
}

/**
 * Times `step` (synchronous, or async returning a promise) and returns the throughput of each
 * repetition: warm-up for WARMUP_SECONDS (at least one step), then REPS repetitions, each running
 * whole steps until REP_SECONDS have passed (at least one step). `workPerStep` is in the
 * reported unit (e.g. samples, or GFLOP). `finish` runs at the end of each repetition, inside the
 * timed region, to flush lazily-executed work.
 */
export async function measure(step, workPerStep, { finish } = {}) {
  let t0 = performance.now();
  let steps = 0;
  do {
    await step(steps++);
  } while (performance.now() - t0 < WARMUP_SECONDS * 1000);
  if (finish) await finish();
  const stepSeconds = (performance.now() - t0) / 1000 / steps;
  const reps = stepSeconds > SLOW_STEP_SECONDS ? Math.min(REPS, 3) : REPS;

  const rates = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let r = 0; r < reps; r++) {
    let n = 0;
    t0 = performance.now();
    let elapsed;
    do {
      await step(steps++);
      n++;
      elapsed = performance.now() - t0;
    } while (elapsed < REP_SECONDS * 1000);
    if (finish) await finish();
    elapsed = performance.now() - t0;
    rates.push((n * workPerStep) / (elapsed / 1000));
  }
  const cpu = process.cpuUsage(cpu0);
  lastCpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wall0);
  return rates;
}

// CPU time / wall time over the timed repetitions of the last measure(), all threads counted.
// The JavaScript peers are single-threaded, so for them well below 1 means other processes
// took the cores and the numbers are low; tsgrad can reach its thread count.
let lastCpuShare = null;

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Peak resident set size of this process so far, in MB (Linux reports maxRSS in KiB). */
export function peakRssMB() {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function round(x) {
  return Number(x.toPrecision(4));
}

/** Writes the one JSON line this process reports. */
export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** Builds the result line from per-repetition rates. */
export function result(framework, backend, workload, unit, rates, extra = {}) {
  return {
    framework, backend, workload, unit,
    median: round(median(rates)),
    reps: rates.map(round),
    peakRssMB: peakRssMB(),
    cpuShare: lastCpuShare === null ? null : Math.round(lastCpuShare * 100) / 100,
    ...extra,
  };
}

/**
 * Runs one workload from the command line: handlers[workload] returns a result line or
 * throws; `usage` is printed for a bad command line. A handler returning
 * { skipped } reports that; an unknown workload exits 2; an unexpected error is reported
 * as { error } with exit status 1.
 */
export async function runCli(framework, backend, workload, handlers, usage) {
  if (!WORKLOADS.includes(workload)) {
    console.error(`usage: ${usage}\nworkloads: ${WORKLOADS.join(', ')}`);
    process.exit(2);
  }
  const base = { framework, backend, workload };
  try {
    const handler = handlers[workload];
    const out = handler ? await handler(workload) : { skipped: 'not implemented by this peer' };
    emit(out.skipped !== undefined ? { ...base, ...out } : out);
  } catch (err) {
    console.error(err);
    emit({ ...base, error: String(err?.message ?? err) });
    process.exitCode = 1;
  }
}
