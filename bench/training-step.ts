// The benchmark's MNIST models and training step, shared by bench/tsgrad.ts (throughput)
// and bench/memory.ts (RSS over many steps) so both measure exactly the same work.
import * as tg from 'tsgrad';
import { cnn } from '../src/train/zoo.ts';
import { resnet14 } from '../examples/lib/resnet.ts';
import { RESNET, TRAIN, mnistBatches, seededArray } from './peers/common.mjs';

/** The trained models: the bench MLP and CNN, and the CNN that `npm run mnist` trains. */
export type BenchModel = 'mlp' | 'cnn' | 'mnist-cnn';

/**
 * The benchmark's MLP and CNN, identical in shape to the peers' (valid convs, 28→24→12→8→4),
 * and the CLI's MNIST CNN taken from the zoo itself, so the bench measures exactly that model.
 */
export function benchModel(kind: BenchModel): tg.nn.Module {
  const { nn } = tg;
  if (kind === 'mnist-cnn') return cnn([1, 28, 28]);
  return kind === 'mlp'
    ? new nn.Sequential(new nn.Flatten(), new nn.Dense(784, 128), new nn.ReLU(), new nn.Dense(128, 10))
    : new nn.Sequential(
      new nn.Conv2D(1, 8, 5), new nn.ReLU(), new nn.MaxPool2D(2),
      new nn.Conv2D(8, 16, 5), new nn.ReLU(), new nn.MaxPool2D(2),
      new nn.Flatten(), new nn.Dense(256, 10),
    );
}

/** A seeded model, Adam (lr 1e-3) and the bench batches; the returned step trains on batch i. */
export function trainingStep(kind: BenchModel): (i: number) => void {
  tg.manualSeed(0);
  const net = benchModel(kind);
  const opt = new tg.optim.Adam(net.parameters(), { lr: TRAIN.lr, betas: [TRAIN.beta1, TRAIN.beta2], eps: TRAIN.eps });
  const lossFn = new tg.nn.CrossEntropyLoss();
  const batches = mnistBatches().map(({ images, labels }) => ({
    x: tg.tensor(images, { shape: [TRAIN.batchSize, 1, 28, 28] }),
    y: labels,
  }));
  return stepOn(net, opt, lossFn, batches);
}

/** One training step on batch i (cycled): forward, loss, backward, update, and the loss read. */
function stepOn(net: tg.nn.Module, opt: tg.optim.Optimizer, lossFn: tg.nn.CrossEntropyLoss, batches: { x: tg.Tensor; y: Int32Array }[]): (i: number) => void {
  return (i: number) => {
    const { x, y } = batches[i % batches.length];
    const loss = lossFn.forward(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    void loss.item(); // a training loop reads its loss (progress bar, NaN check)
  };
}

/** A seeded ResNet-14, SGD with Nesterov momentum and the seeded CIFAR-shaped batches; the step trains on batch i. */
export function resnetStep(): (i: number) => void {
  tg.manualSeed(0);
  const net = resnet14(10, RESNET.stages);
  const opt = new tg.optim.SGD(net.parameters(), { lr: RESNET.lr, momentum: RESNET.momentum, nesterov: RESNET.nesterov });
  const lossFn = new tg.nn.CrossEntropyLoss();
  const n = RESNET.batchSize;
  const batches = Array.from({ length: RESNET.batches }, (_, b) => ({
    x: tg.tensor(seededArray(n * 3 * 32 * 32, 7 + b), { shape: [n, 3, 32, 32] }),
    y: Int32Array.from({ length: n }, (_, i) => i % 10),
  }));
  return stepOn(net, opt, lossFn, batches);
}
