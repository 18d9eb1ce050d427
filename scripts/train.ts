/**
 * `npm run train -- [options]`: trains a classifier on MNIST or CIFAR-10, prints its test
 * accuracy and writes the run to runs/<name>/ (model, checkpoint, history, learning
 * curves). `npm run train -- --help` lists the options; scripts/train-options.ts parses them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tg from 'tsgrad';
import type { Callback } from '../src/train/callbacks.ts';
import { buildModel, type InputShape } from '../src/train/zoo.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { lineChart } from '../examples/lib/svg-plot.ts';
import { lrFinderChart } from './lr-finder-chart.ts';
import { UsageError, helpText, makeOptimizer, makeScheduler, parseTrainArgs, type TrainConfig } from './train-options.ts';

/** Per-channel mean and std of the training images, the usual normalisation constants. */
const STATS = {
  mnist: { mean: [0.1307], std: [0.3081] },
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
};

/**
 * Records every batch's loss, for the fine-grained learning curve. Its state goes into
 * checkpoints, so a resumed run's curve covers the whole run.
 */
class BatchLossRecorder implements Callback {
  losses: number[] = [];
  onBatchEnd(logs: { loss: number }): void {
    this.losses.push(logs.loss);
  }
  stateDict(): { losses: number[] } {
    return { losses: this.losses };
  }
  loadStateDict(s: { losses: number[] }): void {
    this.losses = [...s.losses];
  }
}

function loadData(c: TrainConfig): { train: tg.data.Dataset; test: tg.data.Dataset } {
  const load = c.dataset === 'mnist' ? tg.data.loadMnist : tg.data.loadCifar10;
  let train = load({ split: 'train', dir: c.dataDir });
  let test = load({ split: 'test', dir: c.dataDir });
  const cut = (ds: tg.data.Dataset, n: number) => (n > 0 && n < ds.labels.length ? tg.data.sliceDataset(ds, 0, n) : ds);
  train = cut(train, c.trainSize);
  test = cut(test, c.testSize);
  return { train, test };
}

/** Moving average over `window` points, for a readable per-batch loss curve. */
function smooth(ys: number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  ys.forEach((y, i) => {
    sum += y;
    if (i >= window) sum -= ys[i - window];
    out.push(sum / Math.min(i + 1, window));
  });
  return out;
}

function writeCurves(dir: string, history: tg.train.History, batchLosses: number[], batchesPerEpoch: number, title: string): void {
  const epochs = history.epochs.map((e) => e.epoch);
  const xs = batchLosses.map((_, i) => (i + 1) / batchesPerEpoch);
  const window = Math.min(100, Math.max(1, Math.round(batchesPerEpoch / 20)));
  const lossSeries = [
    { name: `batch loss (avg of ${window})`, xs, ys: smooth(batchLosses, window) },
    // An epoch's mean loss belongs to the middle of the epoch it averages.
    { name: 'train loss (epoch mean)', xs: epochs.map((e) => e - 0.5), ys: history.loss },
  ];
  if (history.valLoss.length) lossSeries.push({ name: 'validation loss', xs: epochs, ys: history.valLoss });
  writeFileSync(join(dir, 'loss.svg'), lineChart({ series: lossSeries, title: `${title}: loss`, xLabel: 'epoch', yLabel: 'cross-entropy', logY: true }));
  const accSeries = [{ name: 'train', xs: epochs, ys: history.accuracy.map((a) => a * 100) }];
  if (history.valAccuracy.length) accSeries.push({ name: 'validation', xs: epochs, ys: history.valAccuracy.map((a) => a * 100) });
  writeFileSync(join(dir, 'accuracy.svg'), lineChart({ series: accSeries, title: `${title}: accuracy`, xLabel: 'epoch', yLabel: 'accuracy (%)' }));
}

/** The learning-rate range test on the configured model, optimizer and training batches (--find-lr). */
export function runFindLr(c: TrainConfig): tg.optim.FindLrResult {
  tg.setBackend(c.backend);
  tg.manualSeed(c.seed);
  const { train } = loadData(c);
  const trainSet = c.valSize > 0 ? tg.data.sliceDataset(train, 0, Math.max(0, train.labels.length - c.valSize)) : train;
  const stats = STATS[c.dataset];
  const norm = tg.data.normalize(stats.mean, stats.std);
  const side = train.images.shape[2];
  const transform = c.augment ? tg.data.compose(tg.data.randomCrop(side, 4), tg.data.randomHorizontalFlip(), norm) : norm;
  const loader = new tg.data.DataLoader(trainSet, { batchSize: c.batchSize, shuffle: true, seed: c.seed, transform });
  const model = buildModel(c.model, train.images.shape.slice(1) as unknown as InputShape);
  const optimizer = makeOptimizer(c, model.parameters());
  const name = c.name ?? `${c.dataset}-${c.model}-${c.optimizer}`;
  const dir = resolve(c.outDir, name);
  mkdirSync(dir, { recursive: true });
  console.log(`lr range test: ${c.model} on ${c.dataset}, ${c.optimizer}, batch ${c.batchSize}, ${c.findLrSteps} batches with lr from 1e-7 to 10, seed ${c.seed}`);
  const result = tg.optim.findLr(model, loader, { optimizer, loss: new tg.nn.CrossEntropyLoss(), steps: c.findLrSteps });
  const title = `lr range test: ${c.dataset} ${c.model} (${c.optimizer}, batch ${c.batchSize})`;
  writeFileSync(join(dir, 'lr-finder.svg'), lrFinderChart([{ name: c.optimizer, result }], title));
  writeFileSync(join(dir, 'lr-finder.json'), `${JSON.stringify({ config: c, ...result }, null, 2)}\n`);
  const stop = result.lrs.length < c.findLrSteps ? `stopped at lr ${result.lrs[result.lrs.length - 1].toExponential(1)} (the loss diverged)` : 'ran all steps';
  console.log(`${result.lrs.length} batches, ${stop}; lowest smoothed loss ${Math.min(...result.losses).toFixed(4)}`);
  console.log(Number.isNaN(result.suggestion)
    ? 'No suggestion: the loss never fell clearly (try more --find-lr-steps, or another optimizer)'
    : `Suggested learning rate: ${result.suggestion.toPrecision(2)} (where the smoothed loss falls fastest); train with --lr ${result.suggestion.toPrecision(2)}`);
  console.log(`Wrote ${dir}/{lr-finder.svg, lr-finder.json}`);
  return result;
}

/** Runs training as configured; returns the test accuracy. */
export function runTraining(c: TrainConfig): number {
  const started = performance.now();
  tg.setBackend(c.backend);
  tg.manualSeed(c.seed);
  const { train, test } = loadData(c);
  let trainSet = train;
  let valSet: tg.data.Dataset | undefined;
  if (c.valSize > 0) {
    const n = train.labels.length;
    if (c.valSize >= n) throw new UsageError(`--val-size ${c.valSize} leaves no training images (the training set has ${n})`);
    trainSet = tg.data.sliceDataset(train, 0, n - c.valSize);
    valSet = tg.data.sliceDataset(train, n - c.valSize, n);
  }
  const stats = STATS[c.dataset];
  const norm = tg.data.normalize(stats.mean, stats.std);
  const side = train.images.shape[2];
  const trainTransform = c.augment ? tg.data.compose(tg.data.randomCrop(side, 4), tg.data.randomHorizontalFlip(), norm) : norm;
  const trainLoader = new tg.data.DataLoader(trainSet, { batchSize: c.batchSize, shuffle: true, seed: c.seed, transform: trainTransform });
  const evalLoader = (ds: tg.data.Dataset) => new tg.data.DataLoader(ds, { batchSize: 500, transform: norm });

  const model = buildModel(c.model, train.images.shape.slice(1) as unknown as InputShape);
  // One image in, any batch size in the file; tried now so an unexportable model fails before training.
  const exportOnnx = () => tg.onnx.exportModel(model, tg.zeros([1, ...train.images.shape.slice(1)]), { dynamicBatch: true });
  if (c.exportOnnx) {
    // The trial forward must not move the generator that seeds training.
    const rng = tg.getRngState();
    exportOnnx();
    tg.setRngState(rng);
  }
  const optimizer = makeOptimizer(c, model.parameters());
  const scheduler = makeScheduler(c, optimizer, trainLoader.length);
  const { params: _params, ...initialOptions } = optimizer.paramGroups[0];
  const optimizerOptions = structuredClone(initialOptions); // before the scheduler changes lr
  const name = c.name ?? `${c.dataset}-${c.model}-${c.optimizer}`;
  const dir = c.resume ? dirname(resolve(c.resume)) : resolve(c.outDir, name);
  mkdirSync(dir, { recursive: true });
  const recorder = new BatchLossRecorder();
  const nParams = model.parameters().reduce((s, p) => s + p.size, 0);
  console.log(`${c.dataset}: ${trainSet.labels.length} training, ${valSet?.labels.length ?? 0} validation, ${test.labels.length} test images`);
  console.log(`model ${c.model} (${nParams.toLocaleString('en-US')} parameters), ${c.optimizer}, batch ${c.batchSize}, ${c.epochs} epoch(s), seed ${c.seed}, backend ${tg.getBackend()}`);
  if (c.resume) console.log(`resuming from ${c.resume}`);

  const history = tg.train.fit(model, trainLoader, {
    optimizer,
    loss: new tg.nn.CrossEntropyLoss(),
    epochs: c.epochs,
    validation: valSet && evalLoader(valSet),
    scheduler,
    callbacks: [recorder, new tg.train.ModelCheckpoint(join(dir, 'checkpoint.safetensors'))],
    // A terminal gets the live bar; a log file still gets one line per epoch.
    progress: c.progress ? true : { write: (s: string) => process.stdout.write(s), isTTY: false },
    resumeFrom: c.resume,
  });
  const evalStart = performance.now();
  const result = tg.train.evaluate(model, evalLoader(test));
  const evalSeconds = (performance.now() - evalStart) / 1000;
  const wall = (performance.now() - started) / 1000;
  const trainSeconds = history.epochs.reduce((s, e) => s + e.seconds, 0);
  const samples = history.epochs.reduce((s, e) => s + e.seconds * e.samplesPerSecond, 0);

  tg.io.save(model, join(dir, 'model.safetensors'), { metadata: { model: c.model, dataset: c.dataset, testAccuracy: String(result.accuracy) } });
  const summary = {
    config: c,
    // The effective hyperparameters, defaults included (config leaves out what was not given).
    optimizerOptions,
    test: { ...result, seconds: evalSeconds },
    trainSeconds,
    samplesPerSecond: samples / trainSeconds,
    wallSeconds: wall,
    history: history.toJSON(),
  };
  writeFileSync(join(dir, 'history.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (c.exportOnnx) {
    const onnxPath = resolve(c.exportOnnx);
    mkdirSync(dirname(onnxPath), { recursive: true });
    writeFileAtomic(onnxPath, exportOnnx());
    console.log(`Wrote ${onnxPath} (ONNX)`);
  }
  writeCurves(dir, history, recorder.losses, trainLoader.length, `${c.dataset} ${c.model} (${c.optimizer})`);

  console.log(`Test accuracy: ${(result.accuracy * 100).toFixed(2)}% (loss ${result.loss.toFixed(4)}) on ${result.samples} images`);
  console.log(`Training: ${trainSeconds.toFixed(1)} s, ${Math.round(samples / trainSeconds)} samples/s; wall time ${wall.toFixed(1)} s`);
  console.log(`Wrote ${dir}/{model.safetensors, checkpoint.safetensors, history.json, loss.svg, accuracy.svg}`);
  return result.accuracy;
}

function main(): void {
  let config: TrainConfig | null;
  try {
    config = parseTrainArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`train: ${err.message}\nRun \`npm run train -- --help\` for the options.`);
    process.exit(2);
  }
  if (config === null) {
    process.stdout.write(helpText());
    return;
  }
  try {
    if (config.findLr) runFindLr(config);
    else runTraining(config);
  } catch (err) {
    if (err instanceof tg.data.DatasetMissingError || err instanceof UsageError || err instanceof tg.train.NonFiniteLossError || err instanceof tg.train.CheckpointError || err instanceof tg.onnx.OnnxExportError) {
      console.error(`train: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

main();
