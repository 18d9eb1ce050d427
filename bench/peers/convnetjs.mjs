// ConvNetJS runner: node bench/peers/convnetjs.mjs <workload>
// Prints one JSON line (see README.md). ConvNetJS works one sample at a time on Float64Array
// volumes (W×H×D order) and accumulates gradients over `batch_size` samples before an update;
// the values fed in are the same as the other runners'.
import { createRequire } from 'node:module';
import {
  CONV, MNIST_CNN, OPTIM, TRAIN, measure, mnistBatches, packageVersion, result, runCli, seededArray,
} from './common.mjs';

const require = createRequire(import.meta.url);
const convnetjs = require('convnetjs');
const VERSION = packageVersion('convnetjs');

const FRAMEWORK = 'convnetjs';
const BACKEND = 'js';
const [workload] = process.argv.slice(2);

// convnetjs 0.3.0's Trainer offers sgd (with or without momentum), adagrad, windowgrad and
// adadelta, and no Adam. Training therefore uses adadelta: like Adam it keeps two running
// averages per parameter and takes a square root, so its update costs about the same.
const TRAIN_METHOD = { method: 'adadelta', ro: 0.95, eps: 1e-6 };

function volFrom(values, sx, sy, depth) {
  const v = new convnetjs.Vol(sx, sy, depth, 0.0);
  v.w.set(values);
  return v;
}

async function conv() {
  const { batch, inChannels: c, height: h, width: w, filters, kernel: k, stride, padding } = CONV;
  const layer = new convnetjs.ConvLayer({
    in_sx: w, in_sy: h, in_depth: c, sx: k, filters, stride, pad: padding, bias_pref: 0,
  });
  const wts = seededArray(k * k * c * filters, 4);
  for (let f = 0; f < filters; f++) layer.filters[f].w.set(wts.subarray(f * k * k * c, (f + 1) * k * k * c));
  const x = seededArray(batch * c * h * w, 3);
  const images = [];
  for (let i = 0; i < batch; i++) images.push(volFrom(x.subarray(i * c * h * w, (i + 1) * c * h * w), w, h, c));
  // Forward, then backward with upstream gradient = ones: fills the input and weight gradients.
  const step = () => {
    for (const img of images) {
      const out = layer.forward(img, true);
      out.dw.fill(1);
      layer.backward();
    }
  };
  const rates = await measure(step, batch);
  return result(FRAMEWORK, BACKEND, workload, 'images/s', rates, {
    version: VERSION, layout: 'per-sample WHD', grads: 'input+weight', note: 'layer has a bias (cannot be disabled)',
  });
}

function netDefs(kind) {
  if (kind === 'mlp') {
    return [
      { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
      { type: 'fc', num_neurons: 128, activation: 'relu' },
      { type: 'softmax', num_classes: 10 }, // adds the fc 128 -> 10 before the softmax loss
    ];
  }
  if (kind === 'mnist-cnn') {
    const { channels: [c1, c2], kernel, hidden, dropout } = MNIST_CNN;
    return [
      { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
      { type: 'conv', sx: kernel, filters: c1, stride: 1, pad: 0, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'conv', sx: kernel, filters: c2, stride: 1, pad: 0, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'fc', num_neurons: hidden, activation: 'relu' },
      { type: 'dropout', drop_prob: dropout },
      { type: 'softmax', num_classes: 10 },
    ];
  }
  // Valid (unpadded) convolutions: 28 -> 24 -> pool 12 -> 8 -> pool 4, dense 16*4*4 -> 10.
  return [
    { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 0, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'softmax', num_classes: 10 },
  ];
}

async function train(kind) {
  const net = new convnetjs.Net();
  net.makeLayers(netDefs(kind));
  const trainer = new convnetjs.Trainer(net, { ...TRAIN_METHOD, learning_rate: TRAIN.lr, batch_size: TRAIN.batchSize });
  // Volumes are built once, like an in-memory data loader.
  const batches = mnistBatches().map(({ images, labels }) => ({
    vols: Array.from(labels, (_, i) => volFrom(images.subarray(i * 784, (i + 1) * 784), 28, 28, 1)),
    labels,
  }));
  const step = (i) => {
    const { vols, labels } = batches[i % batches.length];
    for (let j = 0; j < vols.length; j++) trainer.train(vols[j], labels[j]);
  };
  const rates = await measure(step, TRAIN.batchSize);
  return result(FRAMEWORK, BACKEND, workload, 'samples/s', rates, {
    version: VERSION, optimizer: TRAIN_METHOD.method, note: 'convnetjs has no Adam; adadelta used (same state size)',
  });
}

/**
 * The Trainer updates whatever getParamsAndGrads() returns, so a stand-in net with one
 * 1M-element parameter isolates the update. The Trainer zeroes the gradient after each
 * update, so backward() restores the fixed gradient (a 1M-element copy, included in the time).
 */
async function optim(name) {
  const o = OPTIM[name];
  const options = {
    sgd: { method: 'sgd', learning_rate: o.lr, momentum: 0 },
    // convnetjs momentum: v = mu*v - lr*g, p += v (the classical form).
    momentum: { method: 'sgd', learning_rate: o.lr, momentum: o.momentum },
    adagrad: { method: 'adagrad', learning_rate: o.lr, eps: o.eps },
    // windowgrad is RMSprop (v = ro*v + (1-ro)*g^2, p -= lr*g/sqrt(v + eps)).
    rmsprop: { method: 'windowgrad', learning_rate: o.lr, ro: o.alpha, eps: o.eps },
  }[name];
  if (!options) return { skipped: `convnetjs ${VERSION} has no ${name} optimizer (Trainer methods: sgd, adagrad, windowgrad, adadelta)` };
  const params = convnetjs.zeros(OPTIM.size);
  params.set(seededArray(OPTIM.size, 5));
  const fixedGrad = convnetjs.zeros(OPTIM.size);
  fixedGrad.set(seededArray(OPTIM.size, 6));
  const grads = convnetjs.zeros(OPTIM.size);
  const net = {
    forward() {},
    backward() { grads.set(fixedGrad); return 0; },
    getParamsAndGrads() { return [{ params, grads, l1_decay_mul: 0, l2_decay_mul: 0 }]; },
  };
  const trainer = new convnetjs.Trainer(net, { ...options, batch_size: 1 });
  const rates = await measure(() => trainer.train(null, 0), OPTIM.size / 1e6);
  return result(FRAMEWORK, BACKEND, workload, 'Mparams/s', rates, {
    version: VERSION, method: options.method, note: 'includes restoring the 1M gradient each step (Trainer zeroes it)',
  });
}

const noMatmul = async () => ({
  skipped: 'convnetjs has no standalone matmul op (only per-sample fully-connected layers)',
});

await runCli(FRAMEWORK, BACKEND, workload, {
  matmul256: noMatmul,
  matmul512: noMatmul,
  matmul1024: noMatmul,
  conv,
  mlp: () => train('mlp'),
  cnn: () => train('cnn'),
  'mnist-cnn': () => train('mnist-cnn'),
  'optim-sgd': () => optim('sgd'),
  'optim-momentum': () => optim('momentum'),
  'optim-adagrad': () => optim('adagrad'),
  'optim-rmsprop': () => optim('rmsprop'),
  'optim-adam': () => optim('adam'),
}, 'node bench/peers/convnetjs.mjs <workload>');
