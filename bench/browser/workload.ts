// The workload of `npm run bench:browser`, one function run unchanged in Node and in the
// page, with the tsgrad it is given: the bench suite's MNIST MLP (784-128-10, batch 64,
// Adam lr 1e-3) trained on seeded random images (the values do not change the work).
import type * as Tsgrad from 'tsgrad';

/** Timing settings; samples/s is measured per repetition. */
export interface TimingOptions {
  warmupSeconds: number;
  reps: number;
  repSeconds: number;
}

/** Samples per second of each timed repetition. */
export function mlpTraining(tg: typeof Tsgrad, { warmupSeconds, reps, repSeconds }: TimingOptions): number[] {
  const batchSize = 64, batches = 16;
  tg.manualSeed(0);
  const { nn } = tg;
  const net = new nn.Sequential(new nn.Flatten(), new nn.Dense(784, 128), new nn.ReLU(), new nn.Dense(128, 10));
  const opt = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const data = Array.from({ length: batches }, (_, i) => ({
    x: tg.rand([batchSize, 1, 28, 28]),
    y: Int32Array.from({ length: batchSize }, (_, j) => (i * 31 + j * 7) % 10),
  }));
  let step = 0;
  const train = (): void => {
    const { x, y } = data[step++ % batches]!;
    const loss = lossFn.forward(net.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    void loss.item();  // a training loop reads its loss
  };
  const until = (seconds: number): number => {
    const start = performance.now();
    let n = 0;
    do {
      train();
      n++;
    } while (performance.now() - start < seconds * 1000);
    return (n * batchSize) / ((performance.now() - start) / 1000);
  };
  until(warmupSeconds);
  return Array.from({ length: reps }, () => until(repSeconds));
}
