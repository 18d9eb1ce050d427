// TensorFlow.js runner: node bench/peers/tfjs.mjs <cpu|wasm> <workload>
// Prints one JSON line (see README.md). Images are NHWC, tfjs's native layout; the values are
// the same as the other runners'. Training uses the core API loop (optimizer.minimize over a
// tf.layers model), the way custom training is written in tfjs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  CONV, MNIST_CNN, OPTIM, TRAIN, measure, matmulSize, mnistBatches, result, runCli, seededArray,
} from './common.mjs';

const FRAMEWORK = 'tfjs';
const [backend, workload] = process.argv.slice(2);
if (backend !== 'cpu' && backend !== 'wasm') {
  console.error('usage: node tfjs.mjs <cpu|wasm> <workload>');
  process.exit(2);
}
if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} failed to initialise`);
await tf.ready();

/** A missing kernel (e.g. Conv2DBackpropFilter on wasm) is a skip, not a failure: the peer cannot do it. */
function missingKernel(err) {
  const msg = String(err?.message ?? err);
  return /not registered for backend/.test(msg) ? msg : null;
}

async function measureOrSkip(step, work, opts) {
  try {
    step(0);
  } catch (err) {
    const msg = missingKernel(err);
    if (msg) return { skipped: `tfjs ${tf.version.tfjs} ${backend}: ${msg}` };
    throw err;
  }
  return { rates: await measure(step, work, opts) };
}

function matmul(n) {
  const a = tf.tensor2d(seededArray(n * n, 1), [n, n]);
  const b = tf.tensor2d(seededArray(n * n, 2), [n, n]);
  // cpu and wasm kernels run synchronously inside matMul; dataSync at the end of a
  // repetition only makes that explicit.
  let last = null;
  const step = () => {
    if (last) last.dispose();
    last = tf.matMul(a, b);
  };
  return measureOrSkip(step, (2 * n ** 3) / 1e9, { finish: () => last.dataSync() });
}

async function conv() {
  const { batch, inChannels: c, height: h, width: w, filters, kernel: k, stride } = CONV;
  const x = tf.tensor4d(seededArray(batch * c * h * w, 3), [batch, h, w, c]);
  const filter = tf.tensor4d(seededArray(k * k * c * filters, 4), [k, k, c, filters]);
  // Forward, then the input and weight gradients of sum(conv(x, w)) (upstream gradient = ones).
  const grads = tf.grads((xi, wi) => tf.conv2d(xi, wi, stride, 'valid').sum());
  const step = () => tf.tidy(() => {
    const [dx, dw] = grads([x, filter]);
    dx.dataSync();
    dw.dataSync();
  });
  return measureOrSkip(step, batch);
}

function buildModel(kind) {
  if (kind === 'mlp') {
    return tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
        tf.layers.dense({ units: 10 }),
      ],
    });
  }
  if (kind === 'mnist-cnn') {
    const { channels: [c1, c2], kernel, hidden, dropout } = MNIST_CNN;
    return tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: c1, kernelSize: kernel, padding: 'valid', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
        tf.layers.conv2d({ filters: c2, kernelSize: kernel, padding: 'valid', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: hidden, activation: 'relu' }),
        tf.layers.dropout({ rate: dropout }),
        tf.layers.dense({ units: 10 }),
      ],
    });
  }
  // Valid (unpadded) convolutions: 28 -> 24 -> pool 12 -> 8 -> pool 4, dense 16*4*4 -> 10.
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function train(kind) {
  const model = buildModel(kind);
  const opt = tf.train.adam(TRAIN.lr, TRAIN.beta1, TRAIN.beta2, TRAIN.eps);
  // Batches are converted to tensors once, like an in-memory data loader.
  const batches = mnistBatches().map(({ images, labels }) => ({
    x: kind === 'mlp'
      ? tf.tensor2d(images, [labels.length, 784])
      : tf.tensor4d(images, [labels.length, 28, 28, 1]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat()),
  }));
  const step = (i) => {
    const { x, y } = batches[i % batches.length];
    const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true })), true);
    cost.dataSync();
    cost.dispose();
  };
  return measureOrSkip(step, TRAIN.batchSize);
}

function optimizer(name) {
  const o = OPTIM[name];
  switch (name) {
    case 'sgd': return tf.train.sgd(o.lr);
    case 'momentum': return tf.train.momentum(o.lr, o.momentum);
    // tfjs adagrad takes no epsilon argument (it uses the backend's); initial accumulator 0 like PyTorch.
    case 'adagrad': return tf.train.adagrad(o.lr, 0);
    case 'rmsprop': return tf.train.rmsprop(o.lr, o.alpha, 0, o.eps);
    case 'adam': return tf.train.adam(o.lr, o.beta1, o.beta2, o.eps);
  }
  throw new Error(`unknown optimizer ${name}`);
}

function optimStep(name) {
  const v = tf.variable(tf.tensor1d(seededArray(OPTIM.size, 5)), true, 'param');
  const g = tf.tensor1d(seededArray(OPTIM.size, 6));
  const opt = optimizer(name);
  const step = () => opt.applyGradients({ param: g });
  return measureOrSkip(step, OPTIM.size / 1e6, { finish: () => v.dataSync() });
}

function report(unit, extra = {}) {
  return async ({ rates, skipped }) => (skipped ? { skipped } : result(FRAMEWORK, backend, workload, unit, rates, { version: tf.version.tfjs, ...extra }));
}

const handlers = {};
for (const w of ['matmul256', 'matmul512', 'matmul1024']) {
  handlers[w] = async () => report('GFLOPS')(await matmul(matmulSize(w)));
}
handlers.conv = async () => report('images/s', { layout: 'NHWC', grads: 'input+weight' })(await conv());
handlers.mlp = async () => report('samples/s', { optimizer: 'adam' })(await train('mlp'));
handlers.cnn = async () => report('samples/s', { optimizer: 'adam' })(await train('cnn'));
// The cpu backend's convolutions are plain loops: on the 2-core CI machine it did not finish
// two steps of this model in 10 minutes (over 2 CPU-minutes a step), so it is skipped unless
// asked for; its `cnn` workload shows the same kernels on a smaller model.
handlers['mnist-cnn'] = async () => (backend === 'cpu' && !process.env.BENCH_TFJS_CPU_MNIST_CNN
  ? { skipped: `tfjs ${tf.version.tfjs} cpu: over 2 CPU-minutes per step of this model (set BENCH_TFJS_CPU_MNIST_CNN=1 to measure)` }
  : report('samples/s', { optimizer: 'adam' })(await train('mnist-cnn')));
for (const name of ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam']) {
  handlers[`optim-${name}`] = async () => report('Mparams/s')(await optimStep(name));
}

await runCli(FRAMEWORK, backend, workload, handlers, 'node bench/peers/tfjs.mjs <cpu|wasm> <workload>');
