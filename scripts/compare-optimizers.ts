/**
 * `npm run compare-optimizers -- --dataset mnist --model mlp --epochs 3 [--optimizers …] [--lr auto]`
 *
 * Trains the same model once per optimizer — same initial weights, same batches in the same
 * order, same dropout draws — each with its own learning rate (its default, one you give as
 * `name:lr`, or with `--lr auto` the suggestion of tg.optim.findLr), and writes a report
 * folder: loss and test accuracy against epochs and against training time (SVG), a Markdown
 * table, results.json and, with --lr auto, the range tests. The same seed gives the same
 * numbers in the report, apart from the times.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as tg from '../src/index.ts';
import { buildModel, type InputShape } from '../src/train/zoo.ts';
import type { Callback } from '../src/train/callbacks.ts';
import { PALETTE, lineChart } from '../examples/lib/svg-plot.ts';
import { DATASETS, OPTIMIZERS, UsageError, makeOptimizer, parseTrainArgs, type OptimizerName } from './train-options.ts';
import { lrFinderChart } from './lr-finder-chart.ts';

/** What one comparison is configured by. */
export interface CompareConfig {
  dataset: (typeof DATASETS)[number];
  model: string;
  epochs: number;
  /** The optimizers, each with a learning rate: a number, 'auto' (findLr) or 'default' (the optimizer's own). */
  runs: { optimizer: OptimizerName; lr: number | 'auto' | 'default' }[];
  batchSize: number;
  seed: number;
  trainSize: number;
  testSize: number;
  findLrSteps: number;
  dataDir: string | undefined;
  outDir: string;
  progress: boolean;
}

/** Rprop is left out of the default list: it is a full-batch method (see docs/optimizers.md). */
export const DEFAULT_OPTIMIZERS: readonly OptimizerName[] = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adadelta', 'adamax', 'nadam', 'radam', 'lion'];

const SPEC = {
  dataset: { type: 'string', default: 'mnist' },
  model: { type: 'string', default: 'mlp' },
  epochs: { type: 'string', default: '3' },
  optimizers: { type: 'string' },
  lr: { type: 'string', default: 'default' },
  'batch-size': { type: 'string', default: '64' },
  seed: { type: 'string', default: '0' },
  'train-size': { type: 'string', default: '0' },
  'test-size': { type: 'string', default: '0' },
  'find-lr-steps': { type: 'string', default: '100' },
  'data-dir': { type: 'string' },
  'out-dir': { type: 'string' },
  'no-progress': { type: 'boolean' },
  quick: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The --help text. */
export function compareHelp(): string {
  return `Compare optimizers on one model: same initial weights and batch order, each with its own learning rate.

Usage: npm run compare-optimizers -- [options]
  e.g. npm run compare-optimizers -- --dataset mnist --model mlp --epochs 3 --lr auto

  --dataset NAME          mnist | cifar10 (default mnist)
  --model NAME            mlp | cnn (default mlp)
  --epochs N              (default 3)
  --optimizers LIST       comma-separated, each NAME or NAME:LR (default ${DEFAULT_OPTIMIZERS.join(',')});
                          names: ${OPTIMIZERS.join(', ')}
  --lr auto|default|X     learning rate of optimizers given without one: auto = the suggestion of the
                          lr range test (findLr) on the same model and batches; default = each
                          optimizer's own (PyTorch's; 0.01 for sgd and momentum); X = this value for all
  --batch-size N          (default 64)
  --seed N                initial weights, batch order and dropout (default 0)
  --train-size N, --test-size N   use only the first N images (default 0 = all)
  --find-lr-steps N       batches of each range test (default 100)
  --data-dir DIR          the data set's folder (default datasets/<dataset>/)
  --out-dir DIR           the report folder (default runs/compare-<dataset>-<model>)
  --quick                 a smoke run: 2 epochs of 2000 training and 1000 test images, sgd and adam
  --no-progress           one line per epoch instead of a live progress bar (its val_ numbers are
                          on the test images)
  -h, --help              this text

Writes to the report folder: report.md (the table), results.json (every number), loss.svg and
accuracy.svg (against epochs), loss-time.svg and accuracy-time.svg (against training time),
and with --lr auto, lr-finder.svg.
`;
}

/** Parses argv (without node and the script); null when --help was asked for. */
export function parseCompareArgs(argv: string[]): CompareConfig | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  const s = (k: string) => values[k] as string | undefined;
  const quick = (values.quick as boolean | undefined) ?? false;
  const int = (flag: string, min: number): number => {
    const v = s(flag)!;
    const x = Number(v);
    if (v.trim() === '' || !Number.isInteger(x) || x < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    return x;
  };
  const lrOf = (flag: string, v: string): number | 'auto' | 'default' => {
    if (v === 'auto' || v === 'default') return v;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || x <= 0) throw new UsageError(`${flag} must be auto, default or a positive number, got ${JSON.stringify(v)}`);
    return x;
  };
  const dataset = s('dataset')!;
  if (!(DATASETS as readonly string[]).includes(dataset)) throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}, got ${JSON.stringify(dataset)}`);
  const model = s('model')!;
  // Model names are checked by the same parser the train CLI uses.
  parseTrainArgs(['--model', model]);
  const fallback = lrOf('--lr', s('lr')!);
  const list = s('optimizers') ?? (quick ? 'sgd,adam' : DEFAULT_OPTIMIZERS.join(','));
  const runs = list.split(',').map((item) => {
    const [name, lr, extra] = item.trim().split(':');
    if (extra !== undefined || !(OPTIMIZERS as readonly string[]).includes(name)) {
      throw new UsageError(`--optimizers: '${item}' is not NAME or NAME:LR with NAME one of ${OPTIMIZERS.join(', ')}`);
    }
    return { optimizer: name as OptimizerName, lr: lr === undefined ? fallback : lrOf(`--optimizers ${name}:LR`, lr) };
  });
  const names = runs.map((r) => r.optimizer);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`--optimizers lists ${dup} twice`);
  return {
    dataset: dataset as CompareConfig['dataset'],
    model,
    epochs: quick ? 2 : int('epochs', 1),
    runs,
    batchSize: int('batch-size', 1),
    seed: int('seed', 0),
    trainSize: quick ? 2000 : int('train-size', 0),
    testSize: quick ? 1000 : int('test-size', 0),
    findLrSteps: int('find-lr-steps', 2),
    dataDir: s('data-dir'),
    outDir: s('out-dir') ?? join('runs', `compare-${dataset}-${model}`),
    progress: !((values['no-progress'] as boolean | undefined) ?? false),
  };
}

/** One optimizer's run, as results.json records it. */
export interface RunResult {
  optimizer: OptimizerName;
  /** The learning rate it trained with, and where it came from. */
  lr: number;
  lrSource: 'auto' | 'default' | 'given';
  /** The range test, when lrSource is 'auto'. */
  findLr?: tg.optim.FindLrResult;
  /** After each epoch (epoch 0: the initial weights, before any step). */
  epochs: { epoch: number; trainLoss: number | null; trainAccuracy: number | null; testLoss: number; testAccuracy: number; seconds: number }[];
  /** Every batch's training loss, in order. */
  batchLosses: number[];
  /** Training seconds (summed per batch, evaluation excluded) at the end of each batch. */
  batchSeconds: number[];
  /** Set when the loss became NaN or infinite: training stopped there. */
  diverged?: string;
}

/** Records each batch's loss and the training time up to its end. */
class BatchRecorder implements Callback {
  losses: number[] = [];
  seconds: number[] = [];
  private offset = 0;
  private epochStart = 0;
  onEpochBegin(): void {
    this.epochStart = performance.now();
  }
  onBatchEnd(logs: { loss: number }): void {
    this.losses.push(logs.loss);
    this.seconds.push(this.offset + (performance.now() - this.epochStart) / 1000);
  }
  onEpochEnd(record: { seconds: number }): void {
    this.offset += record.seconds;
  }
}

const STATS = { mnist: { mean: [0.1307], std: [0.3081] }, cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] } };

/**
 * fit()'s progress, with the run's name in place of "Epoch": a live bar on a terminal, or
 * else each finished epoch's line handed to `log` (so a quiet log silences it too).
 */
function progressFor(label: string, live: boolean, log: (line: string) => void): tg.train.ProgressStream {
  const relabel = (text: string) => text.replace(/Epoch (\d+\/\d+)/, `${label} epoch $1`);
  const out = process.stdout;
  if (live && out.isTTY) return { write: (text: string) => out.write(relabel(text)), isTTY: true, columns: out.columns };
  let pending = '';
  return {
    write: (text: string) => {
      pending += relabel(text);
      for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
        log(pending.slice(0, end));
        pending = pending.slice(end + 1);
      }
    },
    isTTY: false,
  };
}

/** Runs the comparison and writes the report; returns the runs. */
export function runComparison(c: CompareConfig, log: (line: string) => void = console.log): RunResult[] {
  const load = c.dataset === 'mnist' ? tg.data.loadMnist : tg.data.loadCifar10;
  const cut = (ds: tg.data.Dataset, n: number) => (n > 0 && n < ds.labels.length ? tg.data.sliceDataset(ds, 0, n) : ds);
  const train = cut(load({ split: 'train', dir: c.dataDir }), c.trainSize);
  const test = cut(load({ split: 'test', dir: c.dataDir }), c.testSize);
  const norm = tg.data.normalize(STATS[c.dataset].mean, STATS[c.dataset].std);
  const inputShape = train.images.shape.slice(1) as unknown as InputShape;
  const loss = new tg.nn.CrossEntropyLoss();
  const testLoader = new tg.data.DataLoader(test, { batchSize: 500, transform: norm });
  mkdirSync(c.outDir, { recursive: true });
  log(`Comparing ${c.runs.length} optimizers on ${c.dataset} ${c.model}: ${train.labels.length} training and ${test.labels.length} test images, ${c.epochs} epoch(s) of batch ${c.batchSize}, seed ${c.seed}`);

  const results: RunResult[] = [];
  c.runs.forEach((run, k) => {
    // Every run starts from the same seed: same initial weights, then the same dropout draws;
    // the loader's own seed gives every run the same batches in the same order.
    tg.manualSeed(c.seed);
    const model = buildModel(c.model, inputShape);
    const loader = new tg.data.DataLoader(train, { batchSize: c.batchSize, shuffle: true, seed: c.seed, transform: norm });
    const config = parseTrainArgs(['--optimizer', run.optimizer, '--dataset', c.dataset])!;
    if (typeof run.lr === 'number') config.lr = run.lr;
    const optimizer = makeOptimizer(config, model.parameters());
    const result: RunResult = { optimizer: run.optimizer, lr: optimizer.paramGroups[0].lr, lrSource: typeof run.lr === 'number' ? 'given' : 'default', epochs: [], batchLosses: [], batchSeconds: [] };
    if (run.lr === 'auto') {
      // findLr puts model, optimizer, loader and the generator back exactly as they were.
      const found = tg.optim.findLr(model, loader, { optimizer, loss, steps: c.findLrSteps });
      result.findLr = found;
      if (Number.isFinite(found.suggestion)) {
        optimizer.paramGroups.forEach((g) => { g.lr = found.suggestion; });
        result.lr = found.suggestion;
        result.lrSource = 'auto';
      }
    }
    const source = result.lrSource === 'auto' ? 'from findLr' : result.lrSource === 'default' ? (run.lr === 'auto' ? 'default: findLr found no clear descent' : 'its default') : 'given';
    log(`[${k + 1}/${c.runs.length}] ${run.optimizer}, lr ${result.lr.toPrecision(3)} (${source})`);
    const initial = tg.train.evaluate(model, testLoader, { loss });
    result.epochs.push({ epoch: 0, trainLoss: null, trainAccuracy: null, testLoss: initial.loss, testAccuracy: initial.accuracy, seconds: 0 });
    const recorder = new BatchRecorder();
    try {
      const history = tg.train.fit(model, loader, {
        optimizer, loss, epochs: c.epochs, validation: testLoader, callbacks: [recorder],
        progress: progressFor(run.optimizer.padEnd(8), c.progress, log),
      });
      let seconds = 0;
      for (const e of history.epochs) {
        seconds += e.seconds;
        result.epochs.push({ epoch: e.epoch, trainLoss: e.loss, trainAccuracy: e.accuracy, testLoss: e.valLoss!, testAccuracy: e.valAccuracy!, seconds });
      }
    } catch (err) {
      if (!(err instanceof tg.train.NonFiniteLossError)) throw err;
      result.diverged = err.message;
      log(`  ${run.optimizer} diverged: ${err.message}`);
    }
    result.batchLosses = recorder.losses;
    result.batchSeconds = recorder.seconds;
    results.push(result);
  });

  writeReport(c, results, train.labels.length, test.labels.length);
  log(`Wrote ${resolve(c.outDir)}/{report.md, results.json, loss.svg, accuracy.svg, loss-time.svg, accuracy-time.svg${c.runs.some((r) => r.lr === 'auto') ? ', lr-finder.svg' : ''}}`);
  return results;
}

/** Moving average over `window` points, for a readable per-batch loss. */
function smooth(ys: number[], window: number): number[] {
  let sum = 0;
  return ys.map((y, i) => {
    sum += y;
    if (i >= window) sum -= ys[i - window];
    return sum / Math.min(i + 1, window);
  });
}

function writeReport(c: CompareConfig, results: RunResult[], nTrain: number, nTest: number): void {
  const batchesPerEpoch = Math.ceil(nTrain / c.batchSize);
  const window = Math.max(1, Math.round(batchesPerEpoch / 20));
  const what = `${c.dataset} ${c.model}`;
  // Past the palette's eight colours, lines repeat a colour dashed.
  const distinct = (r: RunResult): boolean => results.indexOf(r) >= PALETTE.length;
  // Every `stride`-th point of the smoothed curve: a few hundred per line are all a chart can show.
  const stride = Math.max(1, Math.floor((c.epochs * batchesPerEpoch) / 600));
  const lossSeries = (x: (r: RunResult, i: number) => number) => results.map((r) => {
    const ys = smooth(r.batchLosses, window);
    const keep = ys.map((_, i) => i).filter((i) => i % stride === stride - 1 || i === ys.length - 1);
    return { name: r.optimizer, xs: keep.map((i) => x(r, i)), ys: keep.map((i) => ys[i]), dashed: distinct(r) };
  });
  writeFileSync(join(c.outDir, 'loss.svg'), lineChart({
    series: lossSeries((_, i) => (i + 1) / batchesPerEpoch), title: `${what}: training loss`, xLabel: 'epoch', yLabel: `cross-entropy (mean of ${window} batches)`, logY: true,
  }));
  writeFileSync(join(c.outDir, 'loss-time.svg'), lineChart({
    series: lossSeries((r, i) => r.batchSeconds[i]), title: `${what}: training loss against time`, xLabel: 'training time (s)', yLabel: `cross-entropy (mean of ${window} batches)`, logY: true,
  }));
  // From epoch 1 on (unless there is only one): the shared starting point (epoch 0, in
  // results.json) is at chance level and would squash the differences into the top of the chart.
  const accuracy = (x: (e: RunResult['epochs'][number]) => number) => results.map((r) => {
    const trained = r.epochs.filter((e) => e.epoch > 0 || c.epochs === 1);
    return { name: r.optimizer, xs: trained.map(x), ys: trained.map((e) => e.testAccuracy * 100), dashed: distinct(r) };
  });
  writeFileSync(join(c.outDir, 'accuracy.svg'), lineChart({ series: accuracy((e) => e.epoch), title: `${what}: test accuracy`, xLabel: 'epoch', yLabel: 'accuracy (%)' }));
  writeFileSync(join(c.outDir, 'accuracy-time.svg'), lineChart({ series: accuracy((e) => e.seconds), title: `${what}: test accuracy against time`, xLabel: 'training time (s)', yLabel: 'accuracy (%)' }));
  const tested = results.filter((r) => r.findLr);
  if (tested.length) writeFileSync(join(c.outDir, 'lr-finder.svg'), lrFinderChart(tested.map((r) => ({ name: r.optimizer, result: r.findLr! })), `${what}: lr range tests`));

  const rows = results.map((r) => {
    const last = r.epochs[r.epochs.length - 1];
    const source = r.lrSource === 'auto' ? 'findLr' : r.lrSource;
    const acc = r.diverged ? 'diverged' : `${(last.testAccuracy * 100).toFixed(2)}%`;
    return `| ${r.optimizer} | ${r.lr.toPrecision(2)} (${source}) | ${acc} | ${r.diverged ? '—' : last.testLoss.toFixed(4)} | ${r.diverged ? '—' : last.trainLoss!.toFixed(4)} | ${last.seconds.toFixed(1)} s |`;
  });
  const ranked = results.filter((r) => !r.diverged).sort((a, b) => b.epochs[b.epochs.length - 1].testAccuracy - a.epochs[a.epochs.length - 1].testAccuracy);
  const md = [
    `# Optimizers on ${what}`,
    '',
    `${nTrain} training and ${nTest} test images, ${c.epochs} epoch(s) of batch ${c.batchSize}, seed ${c.seed}; every run starts from the same weights and sees the same batches.`,
    '',
    '| optimizer | lr | test accuracy | test loss | train loss (last epoch) | training time |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    ranked.length ? `Best test accuracy: ${ranked[0].optimizer} (${(ranked[0].epochs[ranked[0].epochs.length - 1].testAccuracy * 100).toFixed(2)}%). Training time excludes evaluation; it varies from run to run, the other numbers do not.` : 'Every run diverged.',
    '',
    '![training loss](loss.svg) ![test accuracy](accuracy.svg)',
    '',
    '![training loss against time](loss-time.svg) ![test accuracy against time](accuracy-time.svg)',
    ...(tested.length ? ['', '![lr range tests](lr-finder.svg)'] : []),
    '',
  ].join('\n');
  writeFileSync(join(c.outDir, 'report.md'), md);
  // Per-batch series at 6 significant digits (and times to the millisecond) keep the file small;
  // every other number is written exactly.
  const compact = results.map((r) => ({ ...r, batchLosses: r.batchLosses.map((l) => Number(l.toPrecision(6))), batchSeconds: r.batchSeconds.map((t) => Math.round(t * 1000) / 1000) }));
  writeFileSync(join(c.outDir, 'results.json'), `${JSON.stringify({ config: c, trainImages: nTrain, testImages: nTest, runs: compact })}\n`);
}

function main(): void {
  let config: CompareConfig | null;
  try {
    config = parseCompareArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`compare-optimizers: ${err.message}\nRun \`npm run compare-optimizers -- --help\` for the options.`);
    process.exit(2);
  }
  if (config === null) {
    process.stdout.write(compareHelp());
    return;
  }
  try {
    runComparison(config);
  } catch (err) {
    if (err instanceof tg.data.DatasetMissingError) {
      console.error(`compare-optimizers: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
