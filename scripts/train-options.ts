/**
 * Command-line options of `npm run train`: parsing (node's util.parseArgs), checking, the
 * --help text, and turning the optimizer and scheduler flags into tg.optim objects.
 * Kept apart from scripts/train.ts so tests can check it without training anything.
 */
import { parseArgs } from 'node:util';
import * as optim from '../src/optim/index.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import { MODELS } from '../src/train/zoo.ts';

/** The optimizers --optimizer can name. */
export const OPTIMIZERS = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adadelta', 'adamax', 'nadam', 'radam', 'rprop', 'lion'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
export const SCHEDULERS = ['none', 'step', 'multistep', 'exponential', 'cosine', 'onecycle'] as const;
export const DATASETS = ['mnist', 'cifar10'] as const;

/** Everything one training run is configured by. */
export interface TrainConfig {
  dataset: (typeof DATASETS)[number];
  model: string;
  optimizer: OptimizerName;
  /** Optimizer hyperparameters; undefined ones keep the optimizer's own defaults. */
  lr: number | undefined;
  momentum: number | undefined;
  dampening: number | undefined;
  nesterov: boolean | undefined;
  variant: 'classical' | 'ema' | undefined;
  beta1: number | undefined;
  beta2: number | undefined;
  eps: number | undefined;
  weightDecay: number | undefined;
  alpha: number | undefined;
  centered: boolean | undefined;
  amsgrad: boolean | undefined;
  lrDecay: number | undefined;
  initialAccumulatorValue: number | undefined;
  rho: number | undefined;
  momentumDecay: number | undefined;
  decoupledWeightDecay: boolean | undefined;
  etaMinus: number | undefined;
  etaPlus: number | undefined;
  minStep: number | undefined;
  maxStep: number | undefined;
  scheduler: (typeof SCHEDULERS)[number];
  stepSize: number | undefined;
  milestones: number[] | undefined;
  gamma: number | undefined;
  etaMin: number | undefined;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Training images held out (from the end of the training set) for per-epoch validation. */
  valSize: number;
  /** Use only the first N training / test images (0: all). */
  trainSize: number;
  testSize: number;
  augment: boolean;
  dataDir: string | undefined;
  outDir: string;
  name: string | undefined;
  resume: string | undefined;
  /** Also write the trained model as ONNX to this path (dynamic batch). */
  exportOnnx: string | undefined;
  progress: boolean;
  backend: string;
  /** Run the learning-rate range test instead of training: write its curve and print the suggestion. */
  findLr: boolean;
  /** Batches the range test takes. */
  findLrSteps: number;
}

/** Which optimizers each optimizer-specific flag applies to (so a stray flag is an error, not silently ignored). */
const APPLIES: Record<string, readonly OptimizerName[]> = {
  momentum: ['sgd', 'momentum', 'rmsprop'],
  dampening: ['sgd'],
  nesterov: ['sgd', 'momentum'],
  variant: ['momentum'],
  beta1: ['adam', 'adamw', 'adamax', 'nadam', 'radam', 'lion'],
  beta2: ['adam', 'adamw', 'adamax', 'nadam', 'radam', 'lion'],
  eps: ['adagrad', 'rmsprop', 'adam', 'adamw', 'adadelta', 'adamax', 'nadam', 'radam'],
  'weight-decay': ['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw', 'adadelta', 'adamax', 'nadam', 'radam', 'lion'],
  alpha: ['rmsprop'],
  centered: ['rmsprop'],
  amsgrad: ['adam', 'adamw'],
  'lr-decay': ['adagrad'],
  'initial-accumulator-value': ['adagrad'],
  rho: ['adadelta'],
  'momentum-decay': ['nadam'],
  'decoupled-weight-decay': ['nadam', 'radam'],
  'eta-minus': ['rprop'],
  'eta-plus': ['rprop'],
  'min-step': ['rprop'],
  'max-step': ['rprop'],
};

const SPEC = {
  dataset: { type: 'string', default: 'mnist' },
  model: { type: 'string', default: 'cnn' },
  optimizer: { type: 'string', default: 'adam' },
  lr: { type: 'string' },
  momentum: { type: 'string' },
  dampening: { type: 'string' },
  nesterov: { type: 'boolean' },
  variant: { type: 'string' },
  beta1: { type: 'string' },
  beta2: { type: 'string' },
  eps: { type: 'string' },
  'weight-decay': { type: 'string' },
  alpha: { type: 'string' },
  centered: { type: 'boolean' },
  amsgrad: { type: 'boolean' },
  'lr-decay': { type: 'string' },
  'initial-accumulator-value': { type: 'string' },
  rho: { type: 'string' },
  'momentum-decay': { type: 'string' },
  'decoupled-weight-decay': { type: 'boolean' },
  'eta-minus': { type: 'string' },
  'eta-plus': { type: 'string' },
  'min-step': { type: 'string' },
  'max-step': { type: 'string' },
  scheduler: { type: 'string', default: 'cosine' },
  'step-size': { type: 'string' },
  milestones: { type: 'string' },
  gamma: { type: 'string' },
  'eta-min': { type: 'string' },
  epochs: { type: 'string', default: '3' },
  'batch-size': { type: 'string', default: '64' },
  seed: { type: 'string', default: '0' },
  'val-size': { type: 'string', default: '0' },
  'train-size': { type: 'string', default: '0' },
  'test-size': { type: 'string', default: '0' },
  augment: { type: 'boolean' },
  'no-augment': { type: 'boolean' },
  'data-dir': { type: 'string' },
  'out-dir': { type: 'string', default: 'runs' },
  name: { type: 'string' },
  resume: { type: 'string' },
  'export-onnx': { type: 'string' },
  'no-progress': { type: 'boolean' },
  quick: { type: 'boolean' },
  backend: { type: 'string', default: 'cpu' },
  'find-lr': { type: 'boolean' },
  'find-lr-steps': { type: 'string', default: '100' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The --help text. */
export function helpText(): string {
  const models = Object.entries(MODELS).map(([n, m]) => `                          ${n.padEnd(5)} ${m.description}`).join('\n');
  return `Train an image classifier with tsgrad.

Usage: npm run train -- [options]
  e.g. npm run train -- --dataset mnist --model cnn --optimizer adam --lr 0.001 --epochs 3 --batch-size 64 --seed 0

Data and model
  --dataset NAME          mnist | cifar10 (default mnist; CIFAR-10 needs \`npm run fetch-data -- cifar10\`)
  --model NAME            (default cnn)
${models}
  --data-dir DIR          folder with the data set's files (default: datasets/<dataset>/)
  --val-size N            hold out the last N training images to validate after each epoch (default 0)
  --train-size N          train on the first N images only (default 0 = all)
  --test-size N           test on the first N test images only (default 0 = all)
  --augment / --no-augment  random crop (padding 4) + horizontal flip; default on for cifar10, off for mnist

Training
  --epochs N              (default 3)
  --batch-size N          (default 64)
  --seed N                seeds weight init, dropout and shuffling (default 0)
  --quick                 a smoke run: 1 epoch on 2000 training and 1000 test images
  --backend NAME          cpu | gpu (default cpu)
  --no-progress           no live progress bar (one line per epoch is still printed)

Optimizer (defaults are the optimizer's own, as in PyTorch; sgd and momentum default to --lr 0.01)
  --optimizer NAME        sgd | momentum | adagrad | rmsprop | adam | adamw | adadelta | adamax |
                          nadam | radam | rprop | lion (default adam)
  --lr X                  learning rate
  --momentum X            sgd, momentum (default 0.9), rmsprop
  --dampening X           sgd
  --nesterov              sgd, momentum
  --variant V             momentum: classical (v = mu*v + g) | ema (v = mu*v + (1-mu)*g)
  --beta1 X, --beta2 X    adam, adamw, adamax, nadam, radam (default 0.9, 0.999), lion (0.9, 0.99)
  --eps X                 adagrad, rmsprop, adam, adamw, adadelta, adamax, nadam, radam
  --weight-decay X        all but rprop: an L2 term in the gradient, decoupled for adamw (default 0.01)
                          and lion (and nadam, radam with --decoupled-weight-decay)
  --alpha X               rmsprop smoothing constant (default 0.99)
  --centered              rmsprop
  --amsgrad               adam, adamw
  --lr-decay X            adagrad
  --initial-accumulator-value X   adagrad
  --rho X                 adadelta: decay of its two averages (default 0.9)
  --momentum-decay X      nadam: how fast its momentum warms up (default 0.004)
  --decoupled-weight-decay  nadam, radam: weight decay as in AdamW
  --eta-minus X, --eta-plus X   rprop: step-size factors (default 0.5, 1.2)
  --min-step X, --max-step X    rprop: step-size bounds (default 1e-6, 50)

Learning-rate range test
  --find-lr               instead of training, run the range test (tg.optim.findLr) with the optimizer
                          above: write lr-finder.svg and lr-finder.json to the run folder and print
                          the suggested --lr
  --find-lr-steps N       batches the test takes, lr rising from 1e-7 to 10 (default 100)

Learning-rate schedule (stepped once per epoch, --lr the starting rate; onecycle: every batch, --lr the peak)
  --scheduler NAME        none | step | multistep | exponential | cosine | onecycle (default cosine:
                          annealed to --eta-min over --epochs; onecycle: up from --lr/25 over the first
                          quarter of all batches, then down to --lr/25e4, momentum or β₁ cycled against
                          it; npm run mnist reaches 99% in one epoch with it)
  --step-size N           step: decay every N epochs
  --milestones N,N,...    multistep: decay at these epochs
  --gamma X               step, multistep, exponential: decay factor
  --eta-min X             cosine: final learning rate (default 0); the cosine period is --epochs

Output
  --out-dir DIR           (default runs)
  --name NAME             run folder name (default <dataset>-<model>-<optimizer>; an existing one is overwritten)
  --resume FILE           continue a run from its checkpoint.safetensors, exactly where it stopped
                          (repeat the original run's options; output goes to the checkpoint's folder)
  --export-onnx FILE      also write the trained model as ONNX (opset 17, any batch size) for onnxruntime;
                          checked before training starts, so an unexportable model fails at once
  -h, --help              this text

Writes <out-dir>/<name>/: model.safetensors, checkpoint.safetensors (after every epoch),
history.json, loss.svg and accuracy.svg.
`;
}

/** A command-line mistake: printed with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

function num(flag: string, v: string | undefined, check: (x: number) => boolean, want: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`--${flag} must be ${want}, got ${JSON.stringify(v)}`);
  return x;
}

const positive = (x: number) => x > 0;
const nonNegative = (x: number) => x >= 0;
const positiveInt = (x: number) => Number.isInteger(x) && x > 0;
const nonNegativeInt = (x: number) => Number.isInteger(x) && x >= 0;

function oneOf<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

/** Parses argv (without node and the script); returns null when --help was asked for. */
export function parseTrainArgs(argv: string[]): TrainConfig | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  const s = (k: string) => values[k] as string | undefined;
  const b = (k: string) => values[k] as boolean | undefined;
  const optimizer = oneOf('optimizer', s('optimizer')!, OPTIMIZERS);
  for (const [flag, users] of Object.entries(APPLIES)) {
    if (values[flag] !== undefined && !users.includes(optimizer)) {
      throw new UsageError(`--${flag} does not apply to --optimizer ${optimizer} (it applies to ${users.join(', ')})`);
    }
  }
  const dataset = oneOf('dataset', s('dataset')!, DATASETS);
  const model = oneOf('model', s('model')!, Object.keys(MODELS));
  const scheduler = oneOf('scheduler', s('scheduler')!, SCHEDULERS);
  if (s('step-size') !== undefined && scheduler !== 'step') throw new UsageError('--step-size applies to --scheduler step');
  if (s('milestones') !== undefined && scheduler !== 'multistep') throw new UsageError('--milestones applies to --scheduler multistep');
  if (scheduler === 'multistep' && s('milestones') === undefined) throw new UsageError('--scheduler multistep needs --milestones');
  if (s('gamma') !== undefined && scheduler !== 'step' && scheduler !== 'multistep' && scheduler !== 'exponential') throw new UsageError('--gamma applies to --scheduler step, multistep or exponential');
  if (s('eta-min') !== undefined && scheduler !== 'cosine') throw new UsageError('--eta-min applies to --scheduler cosine');
  if (scheduler === 'step' && s('step-size') === undefined) throw new UsageError('--scheduler step needs --step-size');
  if (scheduler === 'exponential' && s('gamma') === undefined) throw new UsageError('--scheduler exponential needs --gamma');
  if (b('augment') && b('no-augment')) throw new UsageError('--augment and --no-augment contradict each other');
  const variant = s('variant') === undefined ? undefined : oneOf('variant', s('variant')!, ['classical', 'ema'] as const);
  const quick = b('quick') ?? false;
  const config: TrainConfig = {
    dataset, model, optimizer, scheduler, variant,
    lr: num('lr', s('lr'), positive, 'a positive number') ?? (optimizer === 'sgd' || optimizer === 'momentum' ? 0.01 : undefined),
    momentum: num('momentum', s('momentum'), nonNegative, 'a number >= 0'),
    dampening: num('dampening', s('dampening'), nonNegative, 'a number >= 0'),
    nesterov: b('nesterov'),
    beta1: num('beta1', s('beta1'), (x) => x >= 0 && x < 1, 'in [0, 1)'),
    beta2: num('beta2', s('beta2'), (x) => x >= 0 && x < 1, 'in [0, 1)'),
    eps: num('eps', s('eps'), positive, 'a positive number'),
    weightDecay: num('weight-decay', s('weight-decay'), nonNegative, 'a number >= 0'),
    alpha: num('alpha', s('alpha'), (x) => x >= 0 && x < 1, 'in [0, 1)'),
    centered: b('centered'),
    amsgrad: b('amsgrad'),
    lrDecay: num('lr-decay', s('lr-decay'), nonNegative, 'a number >= 0'),
    initialAccumulatorValue: num('initial-accumulator-value', s('initial-accumulator-value'), nonNegative, 'a number >= 0'),
    rho: num('rho', s('rho'), (x) => x >= 0 && x <= 1, 'in [0, 1]'),
    momentumDecay: num('momentum-decay', s('momentum-decay'), nonNegative, 'a number >= 0'),
    decoupledWeightDecay: b('decoupled-weight-decay'),
    etaMinus: num('eta-minus', s('eta-minus'), (x) => x > 0 && x < 1, 'in (0, 1)'),
    etaPlus: num('eta-plus', s('eta-plus'), (x) => x > 1, 'a number > 1'),
    minStep: num('min-step', s('min-step'), nonNegative, 'a number >= 0'),
    maxStep: num('max-step', s('max-step'), positive, 'a positive number'),
    stepSize: num('step-size', s('step-size'), positiveInt, 'a positive integer'),
    milestones: s('milestones') === undefined ? undefined : s('milestones')!.split(',').map((m) => num('milestones', m, positiveInt, 'a comma-separated list of positive integers')!),
    gamma: num('gamma', s('gamma'), positive, 'a positive number'),
    etaMin: num('eta-min', s('eta-min'), nonNegative, 'a number >= 0'),
    epochs: quick ? 1 : num('epochs', s('epochs'), positiveInt, 'a positive integer')!,
    batchSize: num('batch-size', s('batch-size'), positiveInt, 'a positive integer')!,
    seed: num('seed', s('seed'), nonNegativeInt, 'a non-negative integer')!,
    valSize: num('val-size', s('val-size'), nonNegativeInt, 'a non-negative integer')!,
    trainSize: quick ? 2000 : num('train-size', s('train-size'), nonNegativeInt, 'a non-negative integer')!,
    testSize: quick ? 1000 : num('test-size', s('test-size'), nonNegativeInt, 'a non-negative integer')!,
    augment: b('augment') ?? (b('no-augment') ? false : dataset === 'cifar10'),
    dataDir: s('data-dir'),
    outDir: s('out-dir')!,
    name: s('name'),
    resume: s('resume'),
    exportOnnx: s('export-onnx'),
    progress: !(b('no-progress') ?? false),
    backend: oneOf('backend', s('backend')!, ['cpu', 'gpu'] as const),
    findLr: b('find-lr') ?? false,
    findLrSteps: num('find-lr-steps', s('find-lr-steps'), (x) => Number.isInteger(x) && x >= 2, 'an integer >= 2')!,
  };
  return config;
}

/** The optimizer a config asks for, over `params`; flags left out keep the optimizer's defaults. */
export function makeOptimizer(c: TrainConfig, params: Tensor[]): optim.Optimizer<{ lr: number }> {
  const betas: [number, number] | undefined = c.beta1 === undefined && c.beta2 === undefined ? undefined : [c.beta1 ?? 0.9, c.beta2 ?? 0.999];
  const drop = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  switch (c.optimizer) {
    case 'sgd': return new optim.SGD(params, drop({ lr: c.lr!, momentum: c.momentum, dampening: c.dampening, nesterov: c.nesterov, weightDecay: c.weightDecay }));
    case 'momentum': return new optim.Momentum(params, drop({ lr: c.lr!, momentum: c.momentum, variant: c.variant, nesterov: c.nesterov }));
    case 'adagrad': return new optim.AdaGrad(params, drop({ lr: c.lr, lrDecay: c.lrDecay, weightDecay: c.weightDecay, initialAccumulatorValue: c.initialAccumulatorValue, eps: c.eps }));
    case 'rmsprop': return new optim.RMSprop(params, drop({ lr: c.lr, alpha: c.alpha, eps: c.eps, momentum: c.momentum, centered: c.centered, weightDecay: c.weightDecay }));
    case 'adam': return new optim.Adam(params, drop({ lr: c.lr, betas, eps: c.eps, weightDecay: c.weightDecay, amsgrad: c.amsgrad }));
    case 'adamw': return new optim.AdamW(params, drop({ lr: c.lr, betas, eps: c.eps, weightDecay: c.weightDecay, amsgrad: c.amsgrad }));
    case 'adadelta': return new optim.Adadelta(params, drop({ lr: c.lr, rho: c.rho, eps: c.eps, weightDecay: c.weightDecay }));
    case 'adamax': return new optim.Adamax(params, drop({ lr: c.lr, betas, eps: c.eps, weightDecay: c.weightDecay }));
    case 'nadam': return new optim.NAdam(params, drop({ lr: c.lr, betas, eps: c.eps, weightDecay: c.weightDecay, momentumDecay: c.momentumDecay, decoupledWeightDecay: c.decoupledWeightDecay }));
    case 'radam': return new optim.RAdam(params, drop({ lr: c.lr, betas, eps: c.eps, weightDecay: c.weightDecay, decoupledWeightDecay: c.decoupledWeightDecay }));
    case 'rprop': {
      const etas: [number, number] | undefined = c.etaMinus === undefined && c.etaPlus === undefined ? undefined : [c.etaMinus ?? 0.5, c.etaPlus ?? 1.2];
      const stepSizes: [number, number] | undefined = c.minStep === undefined && c.maxStep === undefined ? undefined : [c.minStep ?? 1e-6, c.maxStep ?? 50];
      return new optim.Rprop(params, drop({ lr: c.lr, etas, stepSizes }));
    }
    case 'lion': {
      const lionBetas: [number, number] | undefined = c.beta1 === undefined && c.beta2 === undefined ? undefined : [c.beta1 ?? 0.9, c.beta2 ?? 0.99];
      return new optim.Lion(params, drop({ lr: c.lr, betas: lionBetas, weightDecay: c.weightDecay }));
    }
  }
}

/** The scheduler a config asks for, or undefined for 'none'; `stepsPerEpoch` is the training loader's length. */
export function makeScheduler(c: TrainConfig, opt: optim.Optimizer<{ lr: number }>, stepsPerEpoch: number): optim.LRScheduler | undefined {
  switch (c.scheduler) {
    case 'none': return undefined;
    case 'step': return new optim.StepLR(opt, { stepSize: c.stepSize!, gamma: c.gamma });
    case 'multistep': return new optim.MultiStepLR(opt, { milestones: c.milestones!, gamma: c.gamma });
    case 'exponential': return new optim.ExponentialLR(opt, { gamma: c.gamma! });
    case 'cosine': return new optim.CosineAnnealingLR(opt, { tMax: c.epochs, etaMin: c.etaMin });
    case 'onecycle': {
      // --lr is the peak; momentum (Adam's β₁) is cycled against it where the optimizer has one.
      const group = opt.paramGroups[0] as { lr: number; betas?: unknown; momentum?: number };
      const cycleMomentum = group.betas !== undefined || (group.momentum ?? 0) > 0;
      return new optim.OneCycleLR(opt as optim.MomentumOptimizer, { maxLr: group.lr, epochs: c.epochs, stepsPerEpoch, pctStart: 0.25, cycleMomentum });
    }
  }
}
