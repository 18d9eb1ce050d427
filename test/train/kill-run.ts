/**
 * The training run that kill.test.ts interrupts with SIGKILL. Imported, it supplies the
 * run's parts; run as a script (`node --import tsx kill-run.ts <checkpoint>`), it trains
 * with a checkpoint every epoch and prints "epoch N" once each checkpoint is written.
 */
import '../../src/backend/cpu/index.ts';
import * as nn from '../../src/nn/index.ts';
import * as optim from '../../src/optim/index.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { DataLoader } from '../../src/data/dataloader.ts';
import { fit, type FitOptions } from '../../src/train/fit.ts';
import { EarlyStopping } from '../../src/train/callbacks.ts';
import { ModelCheckpoint } from '../../src/train/model-checkpoint.ts';
import { blobs } from './helpers.ts';

/** Epochs asked for; early stopping (patience 1, minDelta 0.005) ends the run well before. */
export const EPOCHS = 40;

/** The run's parts, built from `seed` (a resumed run passes another seed: the file must carry the state). */
export function makeRun(seed: number, checkpoint: string) {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Dense(4, 64), new nn.ReLU(), new nn.Dropout(0.2), new nn.Dense(64, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.001 });
  const options: FitOptions = {
    optimizer, loss: new nn.CrossEntropyLoss(), epochs: EPOCHS, validation: new DataLoader(blobs(200, 4, 2), { batchSize: 50 }),
    scheduler: new optim.StepLR(optimizer, { stepSize: 3, gamma: 0.7 }),
    callbacks: [new EarlyStopping({ patience: 1, minDelta: 0.005 }), new ModelCheckpoint(checkpoint)],
    progress: false,
  };
  // unseeded shuffling: the loader's order comes from the global RNG, which the checkpoint carries
  return { model, loader: new DataLoader(blobs(2000, 4, 1), { batchSize: 20, shuffle: true }), options };
}

if (process.argv[1]?.endsWith('kill-run.ts')) {
  const run = makeRun(0, process.argv[2]!);
  run.options.callbacks!.push({ onEpochSettled: (r) => { process.stdout.write(`epoch ${r.epoch}\n`); } });
  fit(run.model, run.loader, run.options);
  process.stdout.write('done\n');
}
