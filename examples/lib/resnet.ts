/**
 * He et al.'s CIFAR ResNet-14: a 3×3 stem, three stages of two residual blocks (16, 32 and 64
 * channels, the last two halving the image), global average pooling and a linear classifier.
 * Trained by examples/cifar10-resnet.ts, and measured by `npm run bench`'s `resnet` workload.
 */
import * as tg from '../../src/index.ts';

const { nn } = tg;

/** Two 3×3 convolutions with BatchNorm, added to the input (through a 1×1 projection when the shape changes). */
export class BasicBlock extends nn.Module {
  conv1: tg.nn.Conv2D;
  bn1: tg.nn.BatchNorm2D;
  conv2: tg.nn.Conv2D;
  bn2: tg.nn.BatchNorm2D;
  shortcut: tg.nn.Module;

  constructor(inChannels: number, outChannels: number, stride: number) {
    super();
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

/** ResNet-14 for 3-channel images and `classes` classes, with these stage widths. */
export function resnet14(classes = 10, [a, b, c]: readonly [number, number, number] = [16, 32, 64]): tg.nn.Sequential {
  const stage = (inC: number, outC: number, stride: number) => [new BasicBlock(inC, outC, stride), new BasicBlock(outC, outC, 1)];
  return new nn.Sequential(
    new nn.Conv2D(3, a, 3, { padding: 1, bias: false }), new nn.BatchNorm2D(a), new nn.ReLU(),
    ...stage(a, a, 1), ...stage(a, b, 2), ...stage(b, c, 2),
    new nn.AdaptiveAvgPool2D(1), new nn.Flatten(), new nn.Dense(c, classes),
  );
}
