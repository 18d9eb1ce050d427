// tsgrad runner: npx tsx bench/tsgrad.ts <workload> [cpu|gpu]
// The same workloads, shapes, data and timing loop as the peer runners (bench/peers/common.mjs),
// measured through tsgrad's public API. Prints one JSON line on stdout.
import * as tg from 'tsgrad';
import {
  CONV, OPTIM, RESNET, TRAIN, measure, result, runCli, seededArray,
} from './peers/common.mjs';
import { resnetStep, trainingStep } from './training-step.ts';

const [workload, backend = 'cpu'] = process.argv.slice(2);
tg.setBackend(backend);
const FRAMEWORK = 'tsgrad';
type Rates = number[];

function matmul(n: number): Promise<Rates> {
  // Operands and products made inside tidy lie in the kernels' memory (resident arrays), where
  // a training step's activations and weights' gradients lie, and where a TF.js wasm tensor
  // lies from its creation. Outside tidy, a.matmul(b) on arrays from JavaScript copies both
  // operands in and the product out, 12 MiB per product at 1024²: 62-66 GFLOPS against
  // 72 this way, measured back to back (2026-12-02).
  const [a, b] = tg.tidy(() => [
    tg.tensor(seededArray(n * n, 1), { shape: [n, n] }),
    tg.tensor(seededArray(n * n, 2), { shape: [n, n] }),
  ]);
  let last: tg.Tensor | null = null;
  // Each product frees the one before, as the TF.js runner does and as PyTorch's reference
  // counting does when `last` is reassigned: otherwise every call writes its 4 MiB result
  // into memory fresh from the OS, and its page faults cost 2-9 ms here (a third of the GEMM).
  // .data forces a gpu result back to the host, the same contract as tfjs's dataSync.
  const step = () => {
    last?.dispose();
    last = tg.tidy(() => a.matmul(b));
  };
  return measure(step, (2 * n ** 3) / 1e9, { finish: () => void last?.data });
}

function conv(): Promise<Rates> {
  const { batch, inChannels: c, height: h, width: w, filters, kernel: k, stride } = CONV;
  const x = tg.tensor(seededArray(batch * c * h * w, 3), { shape: [batch, c, h, w], requiresGrad: true });
  const weight = tg.tensor(seededArray(filters * c * k * k, 4), { shape: [filters, c, k, k], requiresGrad: true });
  // Forward, then the input and weight gradients of sum(conv(x, w)), as the peers do.
  const step = () => {
    x.grad = null;
    weight.grad = null;
    tg.nn.functional.conv2d(x, weight, undefined, { stride }).sum().backward();
    void x.grad!.data;
    void weight.grad!.data;
  };
  return measure(step, batch);
}

// Each step inside tidy, as fit() runs a batch and as the TF.js runner wraps its step in tf.tidy.
function train(step: (i: number) => void, batchSize = TRAIN.batchSize): Promise<Rates> {
  return measure((i: number) => tg.tidy(() => step(i)), batchSize);
}

function optimStep(name: 'sgd' | 'momentum' | 'adagrad' | 'rmsprop' | 'adam'): Promise<Rates> {
  const p = new tg.nn.Parameter(tg.tensor(seededArray(OPTIM.size, 5)));
  // The gradient comes out of backward inside tidy, as in every training step (fit() runs each
  // batch in tidy): d/dp sum(p * g) = g. So it lies in the kernels' memory, as the TF.js
  // wasm runner's gradient lies in its wasm heap and PyTorch's in its own. A gradient set from a
  // JavaScript array (p.grad = tg.tensor(array)) is copied into that memory by every step
  // instead: SGD on 1M parameters 0.56 ms per step that way, 0.16 ms this way.
  const g = tg.tensor(seededArray(OPTIM.size, 6));
  tg.tidy(() => p.mul(g).sum().backward());
  const o = OPTIM[name];
  const opt =
    name === 'sgd' ? new tg.optim.SGD([p], { lr: o.lr })
    : name === 'momentum' ? new tg.optim.SGD([p], { lr: o.lr, momentum: OPTIM.momentum.momentum })
    : name === 'adagrad' ? new tg.optim.AdaGrad([p], { lr: o.lr, eps: OPTIM.adagrad.eps })
    : name === 'rmsprop' ? new tg.optim.RMSprop([p], { lr: o.lr, alpha: OPTIM.rmsprop.alpha, eps: OPTIM.rmsprop.eps })
    : new tg.optim.Adam([p], { lr: o.lr, betas: [OPTIM.adam.beta1, OPTIM.adam.beta2], eps: OPTIM.adam.eps });
  // One step over 1M parameters is 1 Mparam of work.
  return measure(() => opt.step(), OPTIM.size / 1e6, { finish: () => void p.data });
}

const report = (unit: string, extra: Record<string, unknown> = {}) => async (rates: Promise<Rates>) =>
  result(FRAMEWORK, `${tg.getBackend()}`, workload, unit, await rates, extra);

const handlers: Record<string, () => Promise<unknown>> = {
  conv: () => report('images/s', { grads: 'input+weight' })(conv()),
  mlp: () => report('samples/s', { optimizer: 'adam' })(train(trainingStep('mlp'))),
  cnn: () => report('samples/s', { optimizer: 'adam' })(train(trainingStep('cnn'))),
  'mnist-cnn': () => report('samples/s', { optimizer: 'adam' })(train(trainingStep('mnist-cnn'))),
  resnet: () => report('samples/s', { optimizer: 'sgd-nesterov' })(train(resnetStep(), RESNET.batchSize)),
};
for (const n of [256, 512, 1024]) handlers[`matmul${n}`] = () => report('GFLOPS')(matmul(n));
for (const name of ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'] as const) {
  handlers[`optim-${name}`] = () => report('Mparams/s')(optimStep(name));
}
await runCli(FRAMEWORK, backend, workload, handlers, 'npx tsx bench/tsgrad.ts <workload> [cpu|gpu]');
