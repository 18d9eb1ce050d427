/** Bad input to tg.train: fit, evaluate, the callbacks, checkpoints and resuming. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tg from '../../../src/index.ts';
import { lit, shown, standardSetup, type Case, type Setup } from '../harness.ts';

const { fit, evaluate, EarlyStopping, ModelCheckpoint, loadCheckpoint, CheckpointError, NonFiniteLossError } = tg.train;
const area = 'train' as const;

/** fit's options with one field replaced (or added). */
const opts = (s: Setup, extra: Record<string, unknown> = {}) =>
  ({ optimizer: s.optimizer, loss: new tg.nn.CrossEntropyLoss(), epochs: 1, progress: false, ...extra }) as tg.train.FitOptions;

/** A checkpoint of one epoch of the standard run, written into the case's folder. */
function checkpointOf(s: Setup): string {
  const path = join(s.dir, 'run.ckpt');
  const m = new tg.nn.Sequential(new tg.nn.Dense(4, 8), new tg.nn.ReLU(), new tg.nn.Dense(8, 3));
  m.loadStateDict(s.model.stateDict());
  const o = new tg.optim.Adam(m.parameters(), { lr: 0.01 });
  const state = tg.getRngState();
  fit(m, new tg.data.DataLoader(s.data, { batchSize: 8, shuffle: true, seed: 3 }), { optimizer: o, loss: new tg.nn.CrossEntropyLoss(), epochs: 1, progress: false, callbacks: [new ModelCheckpoint(path)] });
  tg.setRngState(state);
  return path;
}

/** Rewrites a checkpoint's metadata JSON. */
function tampered(s: Setup, change: (meta: Record<string, any>) => void): string {
  const path = checkpointOf(s);
  const { tensors, metadata } = tg.io.loadTensors(path);
  const meta = JSON.parse(metadata['tsgrad.checkpoint']);
  change(meta);
  tg.io.saveTensors(tensors, path, { 'tsgrad.checkpoint': JSON.stringify(meta) });
  return path;
}

const resume = (s: Setup, path: string) =>
  fit(s.model, s.loader, opts(s, { epochs: 3, scheduler: s.scheduler, callbacks: [new EarlyStopping({ monitor: 'loss' })], resumeFrom: path }));

export const trainCases: Case[] = [
  // fit's arguments
  { area, call: 'fit(model, loader)', act: (s) => fit(s.model, s.loader, undefined as never), refuse: { fn: 'fit', shows: ['options', 'undefined'] } },
  { area, call: 'fit(model, loader, {})', act: (s) => fit(s.model, s.loader, {} as never), refuse: { fn: 'fit', shows: ['epochs', 'undefined'] } },
  ...[0, -1, 1.5, '3', NaN, Infinity, null].map((v): Case => ({ area, call: `fit(model, loader, { ..., epochs: ${lit(v)} })`, act: (s) => fit(s.model, s.loader, opts(s, { epochs: v })), refuse: { fn: 'fit', shows: ['epochs', shown(v)] } })),
  ...[undefined, 'adam', 42].map((v): Case => ({ area, call: `fit(model, loader, { ..., optimizer: ${lit(v)} })`, act: (s) => fit(s.model, s.loader, opts(s, { optimizer: v })), refuse: { fn: 'fit', shows: ['optimizer'] } })),
  { area, call: 'fit(model, loader, { ..., optimizer: model })', act: (s) => fit(s.model, s.loader, opts(s, { optimizer: s.model })), refuse: { fn: 'fit', shows: ['optimizer', 'Sequential'] } },
  ...[undefined, 'crossEntropy', 3].map((v): Case => ({ area, call: `fit(model, loader, { ..., loss: ${lit(v)} })`, act: (s) => fit(s.model, s.loader, opts(s, { loss: v })), refuse: { fn: 'fit', shows: ['loss'] } })),
  ...[null, undefined, {}, 'model'].map((v): Case => ({ area, call: `fit(${lit(v)}, loader, options)`, act: (s) => fit(v as never, s.loader, opts(s)), refuse: { fn: 'fit', shows: ['model'] } })),
  ...[null, 42, {}].map((v): Case => ({ area, call: `fit(model, ${lit(v)}, options)`, act: (s) => fit(s.model, v as never, opts(s)), refuse: { fn: 'fit', shows: ['trainLoader', shown(v)] } })),
  { area, call: 'fit(model, dataset, options) (a dataset, not a loader)', act: (s) => fit(s.model, s.data as never, opts(s)), refuse: { fn: 'fit', shows: ['trainLoader'] } },
  { area, call: 'fit(model, [[x, y]], options) (batches as arrays)', act: (s) => fit(s.model, [[s.data.images, s.data.labels]] as never, opts(s)), refuse: { fn: 'fit', shows: ['batch 1', '{ x: Tensor, y: Int32Array }', 'array'] } },
  { area, call: 'fit(model, [{ x, y: [0, 1] }], options)', act: (s) => fit(s.model, [{ x: tg.zeros([2, 4]), y: [0, 1] }] as never, opts(s)), refuse: { fn: 'fit', shows: ['batch 1', 'array'] } },
  { area, call: 'fit(model, [{ x [2,4], y [3] }], options)', act: (s) => fit(s.model, [{ x: tg.zeros([2, 4]), y: new Int32Array(3) }], opts(s)), refuse: { fn: 'fit', shows: ['3 labels', '[2,4]'] } },
  { area, call: 'fit(model, [], options) (no batches)', act: (s) => fit(s.model, [], opts(s)), refuse: { fn: 'fit', shows: ['no samples'] } },
  { area, call: 'fit(model, loader, { ..., callbacks: {} })', act: (s) => fit(s.model, s.loader, opts(s, { callbacks: {} })), refuse: { fn: 'fit', shows: ['callbacks', 'object'] } },
  { area, call: 'fit(model, loader, { ..., callbacks: [null] })', act: (s) => fit(s.model, s.loader, opts(s, { callbacks: [null] })), refuse: { fn: 'fit', shows: ['callbacks[0]', 'null'] } },
  { area, call: 'fit(model, loader, { ..., scheduler: {} })', act: (s) => fit(s.model, s.loader, opts(s, { scheduler: {} })), refuse: { fn: 'fit', shows: ['scheduler'] } },
  { area, call: 'fit(model, loader, { ..., validation: 42 })', act: (s) => fit(s.model, s.loader, opts(s, { validation: 42 })), refuse: { fn: 'fit', shows: ['validation', '42'] } },
  { area, call: "fit(model, loader, { ..., progress: 'yes' })", act: (s) => fit(s.model, s.loader, opts(s, { progress: 'yes' })), refuse: { fn: 'fit', shows: ['progress', '"yes"'] } },
  ...[42, ''].map((v): Case => ({ area, call: `fit(model, loader, { ..., resumeFrom: ${lit(v)} })`, act: (s) => fit(s.model, s.loader, opts(s, { resumeFrom: v })), refuse: { fn: 'fit', shows: ['resumeFrom', shown(v)] } })),
  { area, call: 'fit(model, loader, { ..., epoch: 3 })', act: (s) => fit(s.model, s.loader, opts(s, { epoch: 3 })), refuse: { fn: 'fit', shows: ['"epoch"'] } },
  { area, call: 'fit(model, loader, { ..., loss: () => 0.5 })', act: (s) => fit(s.model, s.loader, opts(s, { loss: () => 0.5 })), refuse: { fn: 'fit', shows: ['loss', '0.5'] } },
  { area, call: "fit(model, loader, { ..., loss: mseLoss-like returning shape [8] })", act: (s) => fit(s.model, s.loader, opts(s, { loss: (p: tg.Tensor) => p.sum(1) })), refuse: { fn: 'fit', shows: ['loss', '[8]'] } },
  {
    area, call: 'fit(...) with a loss that is NaN at batch 1',
    act: (s) => fit(s.model, s.loader, opts(s, { loss: (p: tg.Tensor, y: Int32Array) => new tg.nn.CrossEntropyLoss().forward(p, y).mul(NaN) })),
    refuse: { fn: 'fit', shows: ['loss became NaN', 'batch 1'], type: NonFiniteLossError },
  },
  {
    area, call: "fit(...) with an infinite gradient behind a finite loss",
    act: (s) => fit(s.model, s.loader, opts(s, { loss: (p: tg.Tensor, y: Int32Array) => new tg.nn.CrossEntropyLoss().forward(p, y).add(tg.ops.sqrt(p.mul(0)).sum()) })),
    refuse: { fn: 'fit', shows: ['gradient of parameter', 'batch 1', "before this batch's update"], type: NonFiniteLossError },
  },
  { area, call: 'fit(...) with EarlyStopping on valLoss and no validation data', act: (s) => fit(s.model, s.loader, opts(s, { callbacks: [new EarlyStopping()] })), refuse: { fn: 'EarlyStopping', shows: ['valLoss', 'validation'] } },
  // evaluate
  ...[null, 42].map((v): Case => ({ area, call: `evaluate(model, ${lit(v)})`, act: (s) => evaluate(s.model, v as never), refuse: { fn: 'evaluate', shows: ['loader', shown(v)] } })),
  { area, call: 'evaluate(null, loader)', act: (s) => evaluate(null as never, s.loader), refuse: { fn: 'evaluate', shows: ['model', 'null'] } },
  { area, call: 'evaluate(model, loader, { loss: 3 })', act: (s) => evaluate(s.model, s.loader, { loss: 3 as never }), refuse: { fn: 'evaluate', shows: ['loss', '3'] } },
  { area, call: 'evaluate(model, [])', act: (s) => evaluate(s.model, []), refuse: { fn: 'evaluate', shows: ['no samples'] } },
  { area, call: 'evaluate(model, [{ x: [[1,2,3,4]], y }])', act: (s) => evaluate(s.model, [{ x: [[1, 2, 3, 4]], y: Int32Array.of(0) }] as never), refuse: { fn: 'evaluate', shows: ['batch 1', 'array'] } },
  // callbacks
  ...[{ patience: -1 }, { patience: '2' }, { patience: 1.5 }, { minDelta: -1 }, { minDelta: NaN }, { monitor: 'acc' }, { mode: 'up' }, { restoreBestWeights: 'yes' }, { patiense: 2 }].map((o): Case => ({
    area, call: `new EarlyStopping(${lit(o)})`, act: () => new EarlyStopping(o as never), refuse: { fn: 'EarlyStopping', shows: [Object.keys(o)[0]!] },
  })),
  { area, call: 'new EarlyStopping(null)', act: () => new EarlyStopping(null as never), refuse: { fn: 'EarlyStopping', shows: ['null'] } },
  ...[{ best: 'x', bestEpoch: 0, wait: 0 }, { best: 1, bestEpoch: -1, wait: 0 }, { best: 1, bestEpoch: 0, wait: 0.5 }, { best: 1, bestEpoch: 0, wait: 0, bestWeights: { w: 3 } }, null].map((st): Case => ({
    area, call: `earlyStopping.loadStateDict(${lit(st)})`,
    act: () => new EarlyStopping().loadStateDict(st as never), refuse: { fn: 'EarlyStopping.loadStateDict' },
  })),
  ...[42, '', null].map((v): Case => ({ area, call: `new ModelCheckpoint(${lit(v)})`, act: () => new ModelCheckpoint(v as never), refuse: { fn: 'ModelCheckpoint', shows: ['path', shown(v)] } })),
  ...[{ saveBestOnly: 'yes' }, { monitor: 'x' }, { mode: 'best' }, { every: 2 }].map((o): Case => ({ area, call: `new ModelCheckpoint('c.ckpt', ${lit(o)})`, act: () => new ModelCheckpoint('c.ckpt', o as never), refuse: { fn: 'ModelCheckpoint', shows: [Object.keys(o)[0]!] } })),
  { area, call: "new ModelCheckpoint('c.ckpt').loadStateDict({})", act: () => new ModelCheckpoint('c.ckpt').loadStateDict({} as never), refuse: { fn: 'ModelCheckpoint.loadStateDict', shows: ['best'] } },
  {
    area, call: "fit(..., { callbacks: [new ModelCheckpoint('missing/folder/run.ckpt')] })",
    act: (s) => fit(s.model, s.loader, opts(s, { callbacks: [new ModelCheckpoint(join(s.dir, 'missing', 'folder', 'run.ckpt'))] })),
    refuse: { fn: 'ModelCheckpoint', shows: ['missing', 'does not exist'], type: CheckpointError },
  },
  {
    area, call: "fit(..., { callbacks: [new ModelCheckpoint(aFolder)] })",
    act: (s) => { mkdirSync(join(s.dir, 'f')); return fit(s.model, s.loader, opts(s, { callbacks: [new ModelCheckpoint(join(s.dir, 'f'))] })); },
    refuse: { fn: 'ModelCheckpoint', shows: ['is a folder'], type: CheckpointError },
  },
  {
    area, call: "fit(..., { callbacks: [new ModelCheckpoint(path, { saveBestOnly: true })] }) without validation",
    act: (s) => fit(s.model, s.loader, opts(s, { callbacks: [new ModelCheckpoint(join(s.dir, 'c'), { saveBestOnly: true })] })),
    refuse: { fn: 'ModelCheckpoint', shows: ['valLoss', 'validation'] },
  },
  // checkpoints and resuming
  { area, call: 'loadCheckpoint(aModelFile)', act: (s) => loadCheckpoint(s.file), refuse: { fn: 'loadCheckpoint', shows: ['not a tsgrad checkpoint'], type: CheckpointError } },
  { area, call: "loadCheckpoint('missing.ckpt')", act: (s) => loadCheckpoint(join(s.dir, 'missing.ckpt')), refuse: { fn: ['loadCheckpoint', 'loadTensors'], shows: ['missing.ckpt'] } },
  { area, call: 'fit(..., { resumeFrom: aModelFile })', act: (s) => resume(s, s.file), refuse: { fn: 'loadCheckpoint', shows: ['not a tsgrad checkpoint'], type: CheckpointError } },
  { area, call: "fit(..., { resumeFrom: 'missing.ckpt' })", act: (s) => resume(s, join(s.dir, 'missing.ckpt')), refuse: { fn: 'loadTensors', shows: ['missing.ckpt'] } },
  { area, call: 'fit(..., { resumeFrom: garbage bytes })', act: (s) => { const p = join(s.dir, 'g'); writeFileSync(p, 'not a checkpoint'); return resume(s, p); }, refuse: { fn: 'safetensors', shows: ['header length'], type: tg.io.SafetensorsError } },
  ...([
    ['epoch: -3', (m) => { m.epoch = -3; }, 'epoch'],
    ['epoch: 2.5', (m) => { m.epoch = 2.5; }, 'epoch'],
    ['epoch: 9 (more than asked)', (m) => { m.epoch = 9; m.history.epochs = Array.from({ length: 9 }, (_, i) => ({ ...m.history.epochs[0], epoch: i + 1 })); }, '9 epochs done'],
    ['rng all zeros', (m) => { m.rng.state = [0, 0, 0, 0]; }, 'all zeros'],
    ['rng of 3 words', (m) => { m.rng.state = [1, 2, 3]; }, 'rng'],
    ['scheduler lastEpoch -1', (m) => { m.scheduler = { lastEpoch: -1, baseLrs: [0.01], lastLr: [0.01] }; }, 'StepLR.loadStateDict'],
    ['optimizer state of another optimizer', (m) => { m.optimizer.paramGroups[0].momentum = 0.9; }, 'momentum'],
    ['trainLoader batch 99', (m) => { m.trainLoader = { epoch: 1, batch: 99 }; }, 'batch'],
    ['trainLoader with an order (seeded loader)', (m) => { m.trainLoader = { epoch: 1, batch: 1, order: [0, 1] }; }, 'order'],
    ['callback best: "x"', (m) => { m.callbacks = [{ kind: '0:EarlyStopping', state: { best: 'x', bestEpoch: 0, wait: 0, bestWeights: null } }]; }, 'best'],
    ['history of the wrong length', (m) => { m.history.epochs = []; }, 'history'],
    ['format 2', (m) => { m.format = 'tsgrad-checkpoint/2'; }, 'format'],
  ] as [string, (m: Record<string, any>) => void, string][]).map(([what, change, shows]): Case => ({
    area, call: `fit(..., { resumeFrom: checkpoint with ${what} })`,
    setup: () => {
      const s = standardSetup();
      const input = tampered(s, change);
      return { ...s, input, world: { ...s.world, files: [...s.world.files!, input] } };
    },
    act: (s) => resume(s, s.input!),
    refuse: { fn: ['fit', 'loadCheckpoint'], shows: [shows], type: CheckpointError },
  })),
];
