/**
 * Writing your own model: a class whose fields hold its layers, trained end to end.
 *
 * Anything stored in a field — a layer, an array of layers, a Parameter — is found by
 * `parameters()`, `stateDict()`, `train()`/`eval()` and `io.save`, with no registration
 * calls, the way PyTorch modules work. The task is a synthetic three-armed spiral, a classic
 * problem that no linear model can solve; the run takes a few seconds.
 *
 *   npx tsx examples/custom-model.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from 'tsgrad';

const { nn } = tg;

/** A residual block: x + Dense(ReLU(Dense(x))), with dropout while training. */
class ResidualBlock extends nn.Module {
  inner = new nn.Dense(32, 32);
  outer = new nn.Dense(32, 32);
  drop = new nn.Dropout(0.1);

  forward(x: tg.Tensor): tg.Tensor {
    return x.add(this.drop.forward(this.outer.forward(this.inner.forward(x).relu())));
  }
}

/** 2-D point → 3 class logits, with a learned temperature on the logits. */
class SpiralNet extends nn.Module {
  embed = new nn.Dense(2, 32);
  blocks = [new ResidualBlock(), new ResidualBlock()];
  head = new nn.Dense(32, 3);
  logTemperature = new nn.Parameter(tg.zeros([1]));

  forward(x: tg.Tensor): tg.Tensor {
    let h = this.embed.forward(x).tanh();
    for (const block of this.blocks) h = block.forward(h);
    return this.head.forward(h).mul(this.logTemperature.exp());
  }
}

/** n points per arm of a 3-armed spiral with a little noise. */
function spiral(n: number): { x: tg.Tensor; y: Int32Array } {
  const xs = new Float32Array(3 * n * 2), ys = new Int32Array(3 * n);
  const noise = tg.randn([3 * n]).data;
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const k = c * n + i, r = i / n;
      const angle = (c * 2 * Math.PI) / 3 + 5 * r + 0.15 * noise[k];
      xs[2 * k] = r * Math.cos(angle);
      xs[2 * k + 1] = r * Math.sin(angle);
      ys[k] = c;
    }
  }
  return { x: tg.tensor(xs, { shape: [3 * n, 2] }), y: ys };
}

function accuracy(model: tg.nn.Module, data: { x: tg.Tensor; y: Int32Array }): number {
  model.eval();
  const pred = tg.noGrad(() => model.forward(data.x)).argmax(1).data;
  model.train();
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === data.y[i]) correct++;
  return correct / pred.length;
}

tg.manualSeed(0);
const train = spiral(300), test = spiral(100);
const model = new SpiralNet();
console.log(model.toString());
console.log(`${model.parameters().length} parameter tensors: ${model.namedParameters().map(([n]) => n).join(', ')}\n`);

const optimizer = new tg.optim.Adam(model.parameters(), { lr: 0.01 });
const lossFn = new nn.CrossEntropyLoss();
// A Dataset is { images: Tensor [N, ...], labels }; here the "images" are 2-D points.
const loader = new tg.data.DataLoader({ images: train.x, labels: train.y }, { batchSize: 60, shuffle: true, seed: 0 });

for (let epoch = 1; epoch <= 30; epoch++) {
  let total = 0, count = 0;
  for (const { x, y } of loader) {
    const loss = lossFn.forward(model.forward(x), y);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    total += loss.item() * y.length;
    count += y.length;
  }
  if ([1, 2, 3, 5, 10, 20, 30].includes(epoch)) {
    console.log(`epoch ${String(epoch).padStart(2)}: loss ${(total / count).toFixed(4)}, test accuracy ${(100 * accuracy(model, test)).toFixed(1)}%`);
  }
}

// Save, load into a fresh model, and check it predicts the same.
const dir = mkdtempSync(join(tmpdir(), 'tsgrad-example-'));
const path = join(dir, 'spiral.safetensors');
tg.io.save(model, path);
const restored = new SpiralNet();
tg.io.load(restored, path);
rmSync(dir, { recursive: true, force: true });
console.log(`\nfinal test accuracy ${(100 * accuracy(model, test)).toFixed(1)}% (reloaded from safetensors: ${(100 * accuracy(restored, test)).toFixed(1)}%)`);
