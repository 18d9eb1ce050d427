// The benchmark's MNIST models and training step, shared by bench/tsgrad.ts (throughput)
// and bench/memory.ts (RSS over many steps) so both measure exactly the same work.
import * as tg from 'tsgrad';
import { cnn } from '../src/train/zoo.ts';
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
  return (i: number) => {
    const { x, y } = batches[i % batches.length];
    const loss = lossFn.forward(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    void loss.item(); // a training loop reads its loss (progress bar, NaN check)
  };
}

/** Two 3×3 convs with BatchNorm, added to the input (through a 1×1 projection where the shape changes). */
class BasicBlock extends tg.nn.Module {
  conv1: tg.nn.Conv2D;
  bn1: tg.nn.BatchNorm2D;
  conv2: tg.nn.Conv2D;
  bn2: tg.nn.BatchNorm2D;
  shortcut: tg.nn.Module;

  constructor(inChannels: number, outChannels: number, stride: number) {
    super();
    const { nn } = tg;
    this.conv1 = new nn.Conv2D(inChannels, outChannels, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2D(outChannels);
    this.conv2 = new nn.Conv2D(outChannels, outChannels, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2D(outChannels);
    this.shortcut = stride === 1 && inChannels === outChannels
      ? new nn.Identity()
      : new nn.Sequential(new nn.Conv2D(inChannels, outChannels, 1, { stride, bias: false }), new nn.BatchNorm2D(outChannels));
  }

  forward(x: tg.Tensor): tg.Tensor {
    const h = this.bn1.forward(this.conv1.forward(x)).relu();
    return this.bn2.forward(this.conv2.forward(h)).add(this.shortcut.forward(x)).relu();
  }
}

/** The bench's ResNet-14 (the model of examples/cifar10-resnet.ts; see RESNET in peers/common.mjs). */
export function resnet14(): tg.nn.Module {
  const { nn } = tg;
  const [a, b, c] = RESNET.stages;
  const stage = (inC: number, outC: number, stride: number) => [new BasicBlock(inC, outC, stride), new BasicBlock(outC, outC, 1)];
  return new nn.Sequential(
    new nn.Conv2D(3, a, 3, { padding: 1, bias: false }), new nn.BatchNorm2D(a), new nn.ReLU(),
    ...stage(a, a, 1), ...stage(a, b, 2), ...stage(b, c, 2),
    new nn.AdaptiveAvgPool2D(1), new nn.Flatten(), new nn.Dense(c, 10),
  );
}

/** A seeded ResNet-14, SGD with Nesterov momentum and the seeded CIFAR-shaped batches; the step trains on batch i. */
export function resnetStep(): (i: number) => void {
  tg.manualSeed(0);
  const net = resnet14();
  const opt = new tg.optim.SGD(net.parameters(), { lr: RESNET.lr, momentum: RESNET.momentum, nesterov: RESNET.nesterov });
  const lossFn = new tg.nn.CrossEntropyLoss();
  const n = RESNET.batchSize;
  const batches = Array.from({ length: RESNET.batches }, (_, b) => ({
    x: tg.tensor(seededArray(n * 3 * 32 * 32, 7 + b), { shape: [n, 3, 32, 32] }),
    y: Int32Array.from({ length: n }, (_, i) => i % 10),
  }));
  return (i: number) => {
    const { x, y } = batches[i % batches.length];
    const loss = lossFn.forward(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    void loss.item();
  };
}
