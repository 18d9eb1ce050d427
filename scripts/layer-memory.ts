/**
 * Memory over a long run of the two deepest graphs the layers make: an LSTM unrolled over
 * 200 time steps, and a 4-layer transformer encoder. Each trains 100 steps with the step
 * inside tg.tidy; the script prints the resident set size and tg.memory() (live tensors and
 * their bytes) every 10 steps, and exits non-zero if the live tensors grew after warm-up.
 *
 *   npx tsx scripts/layer-memory.ts [--steps 100]
 *
 * RSS is the process's, garbage collector included, so it moves a little; the tensor count
 * is exact, and is what the test (test/nn/memory.test.ts) holds flat.
 */
import * as tg from '../src/index.ts';

const { nn } = tg;
const args = process.argv.slice(2);
const stepsArg = args.indexOf('--steps');
const steps = stepsArg >= 0 ? Number(args[stepsArg + 1]) : 100;

interface Case {
  name: string;
  model: tg.nn.Module;
  batch: () => { x: tg.Tensor; y: tg.Tensor };
  loss: (m: tg.nn.Module, x: tg.Tensor, y: tg.Tensor) => tg.Tensor;
}

tg.manualSeed(0);
class LastStep extends nn.Module {
  lstm = new nn.LSTM(8, 32);
  head = new nn.Dense(32, 1);
  forward(x: tg.Tensor): tg.Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out.select(0, out.shape[0] - 1));
  }
}
class Encoder extends nn.Module {
  layers = Array.from({ length: 4 }, () => new nn.TransformerEncoderLayer(64, 4, 128, { batchFirst: true }));
  head = new nn.Dense(64, 10);
  mask = tg.keep(nn.functional.causalMask(32));
  forward(x: tg.Tensor): tg.Tensor {
    for (const l of this.layers) x = l.forward(x, { srcMask: this.mask });
    return this.head.forward(x);
  }
}

const mse = new nn.MSELoss(), ce = new nn.CrossEntropyLoss();
const cases: Case[] = [
  {
    name: 'LSTM(8, 32) over 200 time steps, batch 16',
    model: new LastStep(),
    batch: () => ({ x: tg.randn([200, 16, 8]), y: tg.randn([16, 1]) }),
    loss: (m, x, y) => mse.forward(m.forward(x), y),
  },
  {
    name: '4 TransformerEncoderLayers (64 wide, 4 heads), batch 16 × 32 positions',
    model: new Encoder(),
    batch: () => ({ x: tg.randn([16, 32, 64]), y: tg.tensor(Array.from({ length: 16 * 32 }, (_, i) => i % 10), { dtype: 'int32' }) }),
    loss: (m, x, y) => ce.forward(m.forward(x).reshape([-1, 10]), y),
  },
];

let grew = false;
for (const c of cases) {
  const optimizer = new tg.optim.Adam(c.model.parameters(), { lr: 1e-3 });
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  const tensorsAt: number[] = [];
  console.log(c.name);
  for (let step = 1; step <= steps; step++) {
    tg.tidy(() => {
      const { x, y } = c.batch();
      optimizer.zeroGrad();
      const loss = c.loss(c.model, x, y);
      loss.backward();
      optimizer.step();
    });
    if (step % 10 === 0 || step === 1) {
      const live = tg.memory();
      tensorsAt.push(live.tensors);
      console.log(`  step ${String(step).padStart(3)}: rss ${mb(process.memoryUsage().rss)} MB, live tensors ${live.tensors} (${mb(live.bytes)} MB)`);
    }
  }
  // After the first step (which creates the optimizer state and the gradients), the count must not grow.
  if (tensorsAt.slice(1).some((n) => n > tensorsAt[0])) grew = true;
}
if (grew) {
  console.error('layer-memory: the live tensor count changed after warm-up');
  process.exit(1);
}
