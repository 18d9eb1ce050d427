import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { mlp } from '../../src/train/zoo.ts';

const { nn, optim, data } = tg;

/** A small classifier with Dropout, so the random generator matters to training. */
function makeModel(): tg.nn.Sequential {
  return new nn.Sequential(new nn.Flatten(), new nn.Dense(16, 12), new nn.ReLU(), new nn.Dropout(0.3), new nn.Dense(12, 3));
}

function makeData(n: number): tg.data.Dataset {
  tg.manualSeed(99);
  const images = tg.randn([n, 1, 4, 4]);
  const labels = new Int32Array(n).map((_, i) => (images.data[i * 16] + images.data[i * 16 + 5] > 0 ? 1 : i % 3 === 0 ? 2 : 0));
  return { images, labels };
}

/** Everything findLr could disturb, as plain values plus the identities that must survive. */
function observe(model: tg.nn.Sequential, opt: tg.optim.Optimizer<tg.optim.BaseOptions>, loader: tg.data.DataLoader) {
  const params = model.parameters();
  return {
    weights: params.map((p) => Array.from(p.data)),
    storages: params.map((p) => p.storage),
    grads: params.map((p) => (p.grad ? Array.from(p.grad.data) : null)),
    gradObjects: params.map((p) => p.grad),
    training: model.namedModules().map(([, m]) => m.training),
    optimizer: JSON.stringify(opt.stateDict(), (_, v) => (v instanceof tg.Tensor ? Array.from(v.data) : v)),
    loader: loader.stateDict(),
    rng: tg.getRngState(),
  };
}

function trainSteps(model: tg.nn.Sequential, opt: tg.optim.Optimizer<tg.optim.BaseOptions>, loader: tg.data.DataLoader, n: number): void {
  const loss = new nn.CrossEntropyLoss();
  let done = 0;
  while (done < n) {
    for (const { x, y } of loader) {
      opt.zeroGrad();
      loss.forward(model.forward(x), y).backward();
      opt.step();
      if (++done === n) break;
    }
  }
}

describe('findLr puts back everything it touched, bit for bit', () => {
  const configs: [string, (ps: tg.Tensor[]) => tg.optim.Optimizer<tg.optim.BaseOptions>, boolean][] = [
    ['Adam, a seeded shuffling loader', (ps) => new optim.Adam(ps, { lr: 3e-3, amsgrad: true }), true],
    ['SGD with momentum, an unseeded shuffling loader (it draws from the global generator)', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9 }), false],
    ['NAdam in two parameter groups', (ps) => new optim.NAdam([{ params: ps.slice(0, 2), lr: 1e-3 }, { params: ps.slice(2) }]), true],
  ];
  for (const [name, makeOpt, seeded] of configs) {
    it(name, () => {
      const ds = makeData(96);
      const build = () => {
        tg.manualSeed(5);
        const model = makeModel();
        const opt = makeOpt(model.parameters());
        const loader = new data.DataLoader(ds, { batchSize: 16, shuffle: true, ...(seeded ? { seed: 3 } : {}) });
        trainSteps(model, opt, loader, 4); // the optimizer has state, the loader has moved
        loader.loadStateDict({ ...loader.stateDict(), batch: 2, ...(seeded ? {} : { order: Array.from({ length: 96 }, (_, i) => (i * 7) % 96) }) });
        // Leave gradients behind and one module in eval mode, as a user might.
        const l = new nn.CrossEntropyLoss().forward(model.forward(ds.images), ds.labels);
        l.backward();
        (model.namedModules()[4][1] as tg.nn.Module).eval();
        return { model, opt, loader };
      };
      const subject = build();
      const twin = build();
      const before = observe(subject.model, subject.opt, subject.loader);

      const result = optim.findLr(subject.model, subject.loader, { optimizer: subject.opt, loss: new nn.CrossEntropyLoss(), steps: 30, endLr: 100 });
      expect(result.lrs.length).toBeGreaterThan(5);

      const after = observe(subject.model, subject.opt, subject.loader);
      expect(after.weights).toEqual(before.weights);
      after.storages.forEach((s, i) => expect(s).toBe(before.storages[i]));
      expect(after.grads).toEqual(before.grads);
      after.gradObjects.forEach((g, i) => expect(g).toBe(before.gradObjects[i]));
      expect(after.training).toEqual(before.training);
      expect(after.optimizer).toBe(before.optimizer);
      expect(after.loader).toEqual(before.loader);
      expect(after.rng).toEqual(before.rng);

      // And training on continues exactly as in a run that never ran the test. (Both runs
      // share the global generator, so the twin starts from the state the subject started from.)
      const rngAtStart = tg.getRngState();
      for (const run of [subject, twin]) {
        tg.setRngState(rngAtStart);
        run.model.train();
        trainSteps(run.model, run.opt, run.loader, 10);
      }
      expect(subject.model.parameters().map((p) => Array.from(p.data))).toEqual(twin.model.parameters().map((p) => Array.from(p.data)));
    });
  }

  it('restores everything when the loss throws part-way, and the error comes through', () => {
    const ds = makeData(48);
    tg.manualSeed(1);
    const model = makeModel();
    const opt = new optim.Adam(model.parameters());
    const loader = new data.DataLoader(ds, { batchSize: 8, shuffle: true, seed: 2 });
    const before = observe(model, opt, loader);
    let calls = 0;
    const loss = (pred: tg.Tensor, y: Int32Array) => {
      if (++calls === 7) throw new Error('loss exploded');
      return new nn.CrossEntropyLoss().forward(pred, y);
    };
    expect(() => optim.findLr(model, loader, { optimizer: opt, loss, steps: 20 })).toThrow('loss exploded');
    const after = observe(model, opt, loader);
    expect({ ...after, storages: null, gradObjects: null }).toEqual({ ...before, storages: null, gradObjects: null });
  });

  it('refuses bad options before changing anything', () => {
    const ds = makeData(16);
    const model = makeModel();
    const opt = new optim.Adam(model.parameters());
    const loader = new data.DataLoader(ds, { batchSize: 8 });
    const loss = new nn.CrossEntropyLoss();
    const before = observe(model, opt, loader);
    expect(() => optim.findLr(model, loader, { optimizer: opt, loss, startLr: 0 })).toThrow('findLr: startLr must be a finite number > 0, got 0');
    expect(() => optim.findLr(model, loader, { optimizer: opt, loss, startLr: 1, endLr: 0.1 })).toThrow('endLr must be larger than startLr');
    expect(() => optim.findLr(model, loader, { optimizer: opt, loss, steps: 1 })).toThrow('steps must be an integer ≥ 2, got 1');
    expect(() => optim.findLr(model, loader, { optimizer: opt, loss, smoothing: 1 })).toThrow('smoothing must be in [0, 1), got 1');
    expect(() => optim.findLr(model, loader, { optimizer: opt, loss, divergeThreshold: 1 })).toThrow('divergeThreshold must be a number > 1');
    expect(() => optim.findLr(model, loader, { optimizer: new optim.LBFGS(model.parameters()), loss })).toThrow(/LBFGS/);
    expect(() => optim.findLr(model, loader, { optimizer: new optim.Adam([tg.tensor([1], { requiresGrad: true })]), loss })).toThrow("the optimizer holds none of the model's parameters");
    expect(() => optim.findLr(model, loader, { optimizer: opt, loss: 'ce' as never })).toThrow(TypeError);
    expect(() => optim.findLr(model, [] as never, { optimizer: opt, loss })).toThrow('the loader yielded no batches');
    expect(observe(model, opt, loader)).toEqual(before);
  });
});

describe('the curve and the suggestion', () => {
  it('sweeps lr geometrically from startLr to endLr, smoothing the loss like a debiased running average', () => {
    const ds = makeData(64);
    tg.manualSeed(2);
    const model = makeModel();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const r = optim.findLr(model, new data.DataLoader(ds, { batchSize: 16 }), { optimizer: opt, loss: new nn.CrossEntropyLoss(), startLr: 1e-4, endLr: 1e-2, steps: 9, smoothing: 0.5, divergeThreshold: 1e9 });
    expect(r.lrs).toHaveLength(9);
    r.lrs.forEach((lr, i) => expect(lr).toBeCloseTo(1e-4 * 10 ** (i / 4), 15));
    let avg = 0;
    r.rawLosses.forEach((raw, i) => {
      avg = 0.5 * avg + 0.5 * raw;
      expect(r.losses[i]).toBeCloseTo(avg / (1 - 0.5 ** (i + 1)), 12);
    });
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });

  it('stops once the smoothed loss passes divergeThreshold × its minimum', () => {
    const ds = makeData(64);
    tg.manualSeed(2);
    const model = makeModel();
    const r = optim.findLr(model, new data.DataLoader(ds, { batchSize: 16 }), { optimizer: new optim.SGD(model.parameters(), { lr: 1 }), loss: new nn.CrossEntropyLoss(), endLr: 1e6, steps: 80, smoothing: 0 });
    expect(r.lrs.length).toBeLessThan(80);
    const last = r.losses[r.losses.length - 1];
    expect(last).toBeGreaterThan(4 * Math.min(...r.losses.slice(0, -1)));
  });

  it('suggestLr picks the steepest descent of loss against log(lr), before the minimum', () => {
    const lrs = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
    expect(optim.suggestLr(lrs, [2.3, 2.2, 1.5, 0.9, 0.8, 5])).toBe(1e-3); // slopes at 1e-4: −0.35/dec, 1e-3: −0.65, 1e-2: −0.35
    expect(optim.suggestLr(lrs, [2.3, 2.2, 2.1, 1.2, 0.8, 0.7])).toBe(1e-2);
    expect(optim.suggestLr(lrs, [1, 2, 3, 4, 5, 6])).toBeNaN(); // never falls: no suggestion
  });

  it('on the MNIST MLP with Adam, the suggestion lies where Adam trains', () => {
    const train = data.sliceDataset(data.loadMnist({ split: 'train' }), 0, 12800);
    const heldOut = data.sliceDataset(data.loadMnist({ split: 'train' }), 50000, 52000);
    const norm = data.normalize([0.1307], [0.3081]);
    tg.manualSeed(0);
    const model = mlp([1, 28, 28]);
    const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: norm });
    const opt = new optim.Adam(model.parameters());
    const { suggestion } = optim.findLr(model, loader, { optimizer: opt, loss: new nn.CrossEntropyLoss() });
    // Adam on this model, 300 batches from the same start (docs/optimizers.md, "Finding a
    // learning rate"): within 3 points of its best test accuracy from 3e-4 to 1e-2, 6–7 points
    // below it at 1e-4 and 3e-2, 16 or more beyond.
    expect(suggestion).toBeGreaterThanOrEqual(3e-4);
    expect(suggestion).toBeLessThanOrEqual(1e-2);
    // And it does train there: 150 batches take the held-out loss from 2.3 to below 0.5.
    opt.paramGroups[0].lr = suggestion;
    trainSteps(model as unknown as tg.nn.Sequential, opt, loader, 150);
    const result = tg.train.evaluate(model, new data.DataLoader(heldOut, { batchSize: 500, transform: norm }));
    expect(result.loss).toBeLessThan(0.5);
  });
});
