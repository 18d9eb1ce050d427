import { describe, expect, it } from 'vitest';
import { nn, optim, tensor } from '../../src/index.ts';
import { expectRangeError } from './helpers.ts';

const p = (): ReturnType<typeof tensor>[] => [tensor([1], { requiresGrad: true })];

describe('invalid options throw a RangeError naming the option and the value, at construction', () => {
  it('SGD', () => {
    expectRangeError(() => new optim.SGD(p(), { lr: -0.1 }), 'SGD', 'lr', '-0.1');
    expectRangeError(() => new optim.SGD(p(), {} as never), 'SGD', 'lr', 'undefined');
    expectRangeError(() => new optim.SGD(p(), { lr: NaN }), 'lr', 'NaN');
    expectRangeError(() => new optim.SGD(p(), { lr: 0.1, momentum: -0.5 }), 'momentum', '-0.5');
    expectRangeError(() => new optim.SGD(p(), { lr: 0.1, weightDecay: -1 }), 'weightDecay', '-1');
    expectRangeError(() => new optim.SGD(p(), { lr: 0.1, dampening: 1.5 }), 'dampening', '1.5');
    expectRangeError(() => new optim.SGD(p(), { lr: 0.1, nesterov: true }), 'nesterov', 'momentum 0');
    expectRangeError(() => new optim.SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), 'nesterov', 'dampening 0.1');
  });

  it('Momentum', () => {
    expectRangeError(() => new optim.Momentum(p(), { lr: -1 }), 'Momentum', 'lr', '-1');
    expectRangeError(() => new optim.Momentum(p(), { lr: 0.1, momentum: -0.1 }), 'momentum', '-0.1');
    expectRangeError(() => new optim.Momentum(p(), { lr: 0.1, momentum: 1 }), 'momentum', '[0, 1)', '1');
    expectRangeError(() => new optim.Momentum(p(), { lr: 0.1, variant: 'heavy' as never }), 'variant', "'heavy'");
    expectRangeError(() => new optim.Momentum(p(), { lr: 0.1, momentum: 0, nesterov: true }), 'nesterov', 'momentum 0');
  });

  it('AdaGrad', () => {
    expectRangeError(() => new optim.AdaGrad(p(), { lr: -0.01 }), 'AdaGrad', 'lr', '-0.01');
    expectRangeError(() => new optim.AdaGrad(p(), { lrDecay: -1 }), 'lrDecay', '-1');
    expectRangeError(() => new optim.AdaGrad(p(), { weightDecay: -1 }), 'weightDecay', '-1');
    expectRangeError(() => new optim.AdaGrad(p(), { initialAccumulatorValue: -0.1 }), 'initialAccumulatorValue', '-0.1');
    expectRangeError(() => new optim.AdaGrad(p(), { eps: 0 }), 'eps', '0');
  });

  it('RMSprop', () => {
    expectRangeError(() => new optim.RMSprop(p(), { lr: -0.01 }), 'RMSprop', 'lr', '-0.01');
    expectRangeError(() => new optim.RMSprop(p(), { alpha: 1 }), 'alpha', '1');
    expectRangeError(() => new optim.RMSprop(p(), { alpha: -0.5 }), 'alpha', '-0.5');
    expectRangeError(() => new optim.RMSprop(p(), { eps: -1e-8 }), 'eps', '-1e-8');
    expectRangeError(() => new optim.RMSprop(p(), { momentum: -0.9 }), 'momentum', '-0.9');
    expectRangeError(() => new optim.RMSprop(p(), { weightDecay: -2 }), 'weightDecay', '-2');
  });

  it('Adam and AdamW', () => {
    for (const [name, make] of [['Adam', optim.Adam], ['AdamW', optim.AdamW]] as const) {
      expectRangeError(() => new make(p(), { lr: -0.001 }), name, 'lr', '-0.001');
      expectRangeError(() => new make(p(), { betas: [1, 0.999] }), name, 'betas[0]', '[0, 1)', '1');
      expectRangeError(() => new make(p(), { betas: [0.9, 1.5] }), 'betas[1]', '1.5');
      expectRangeError(() => new make(p(), { betas: [-0.1, 0.9] }), 'betas[0]', '-0.1');
      expectRangeError(() => new make(p(), { betas: [0.9] as never }), 'betas');
      expectRangeError(() => new make(p(), { eps: 0 }), 'eps', '0');
      expectRangeError(() => new make(p(), { weightDecay: -0.01 }), 'weightDecay', '-0.01');
    }
  });

  it('Adadelta', () => {
    expectRangeError(() => new optim.Adadelta(p(), { lr: -1 }), 'Adadelta', 'lr', '-1');
    expectRangeError(() => new optim.Adadelta(p(), { rho: 1.1 }), 'rho', '[0, 1]', '1.1');
    expectRangeError(() => new optim.Adadelta(p(), { eps: 0 }), 'eps', '0');
    expectRangeError(() => new optim.Adadelta(p(), { weightDecay: -0.1 }), 'weightDecay', '-0.1');
  });

  it('Adamax, NAdam, RAdam', () => {
    for (const [name, make] of [['Adamax', optim.Adamax], ['NAdam', optim.NAdam], ['RAdam', optim.RAdam]] as const) {
      expectRangeError(() => new make(p(), { lr: -0.002 }), name, 'lr', '-0.002');
      expectRangeError(() => new make(p(), { betas: [1, 0.999] }), name, 'betas[0]', '[0, 1)', '1');
      expectRangeError(() => new make(p(), { betas: [0.9, -0.1] }), 'betas[1]', '-0.1');
      expectRangeError(() => new make(p(), { betas: [0.9] as never }), 'betas must be a pair');
      expectRangeError(() => new make(p(), { eps: -1e-8 }), 'eps', '-1e-8');
      expectRangeError(() => new make(p(), { weightDecay: NaN }), 'weightDecay', 'NaN');
    }
    expectRangeError(() => new optim.NAdam(p(), { momentumDecay: -0.004 }), 'NAdam', 'momentumDecay', '-0.004');
    expectRangeError(() => new optim.NAdam(p(), { decoupledWeightDecay: 1 as never }), 'decoupledWeightDecay', '1');
    expectRangeError(() => new optim.RAdam(p(), { decoupledWeightDecay: 'yes' as never }), 'RAdam', 'decoupledWeightDecay', "'yes'");
  });

  it('Rprop', () => {
    expectRangeError(() => new optim.Rprop(p(), { lr: -0.01 }), 'Rprop', 'lr', '-0.01');
    expectRangeError(() => new optim.Rprop(p(), { etas: [1.2, 0.5] }), 'etas must satisfy 0 < etas[0] < 1 < etas[1]', '[1.2,0.5]');
    expectRangeError(() => new optim.Rprop(p(), { etas: [0, 1.2] }), 'etas', '[0,1.2]');
    expectRangeError(() => new optim.Rprop(p(), { stepSizes: [1, 0.5] }), 'stepSizes must be [min, max] with min ≤ max', '[1,0.5]');
    expectRangeError(() => new optim.Rprop(p(), { stepSizes: [-1, 50] }), 'stepSizes[0]', '-1');
    expectRangeError(() => new optim.Rprop(p(), { stepSizes: [0, Infinity] }), 'stepSizes[1]', 'Infinity');
  });

  it('Lion', () => {
    expectRangeError(() => new optim.Lion(p(), { lr: -1e-4 }), 'Lion', 'lr', '-0.0001');
    expectRangeError(() => new optim.Lion(p(), { betas: [0.9, 1.01] }), 'betas[1]', '[0, 1]', '1.01');
    expectRangeError(() => new optim.Lion(p(), { weightDecay: -1 }), 'weightDecay', '-1');
  });

  it('options of a parameter group are checked too, and the message says which group', () => {
    const [a, b] = [tensor([1], { requiresGrad: true }), tensor([1], { requiresGrad: true })];
    expectRangeError(() => new optim.Adam([{ params: [a] }, { params: [b], betas: [0.9, 1] }]), 'Adam (group 1)', 'betas[1]', '1');
  });

  it('schedulers check their options too', () => {
    const opt = new optim.SGD(p(), { lr: 0.1 });
    expectRangeError(() => new optim.StepLR(opt, { stepSize: 0 }), 'StepLR', 'stepSize', '0');
    expectRangeError(() => new optim.StepLR(opt, { stepSize: 1.5 }), 'stepSize', '1.5');
    expectRangeError(() => new optim.StepLR(opt, { stepSize: 2, gamma: -0.1 }), 'gamma', '-0.1');
    expectRangeError(() => new optim.ExponentialLR(opt, {} as never), 'ExponentialLR', 'gamma', 'undefined');
    expectRangeError(() => new optim.CosineAnnealingLR(opt, { tMax: 0 }), 'CosineAnnealingLR', 'tMax', '0');
    expectRangeError(() => new optim.CosineAnnealingLR(opt, { tMax: 10, etaMin: -1 }), 'etaMin', '-1');
    expectRangeError(() => new optim.ReduceLROnPlateau(opt, { factor: 1 }), 'ReduceLROnPlateau', 'factor', '1');
    expectRangeError(() => new optim.ReduceLROnPlateau(opt, { mode: 'up' as never }), 'mode', "'up'");
    expectRangeError(() => new optim.ReduceLROnPlateau(opt, { patience: -1 }), 'patience', '-1');
    expectRangeError(() => new optim.ReduceLROnPlateau(opt, { minLr: [0, 0] }), 'minLr', '1');
  });
});

describe('what is passed as params and options is checked too', () => {
  const model = new nn.Sequential(new nn.Dense(2, 2));
  it('a model instead of its parameters, null, or numbers: a TypeError that says what to pass', () => {
    expect(() => new optim.Adamax(model as never)).toThrow('Adamax: params must be an iterable of tensors or of parameter groups (e.g. model.parameters()), got a Sequential');
    expect(() => new optim.Lion(null as never)).toThrow('Lion: params must be an iterable of tensors or of parameter groups (e.g. model.parameters()), got null');
    expect(() => new optim.SGD([1, 2] as never, { lr: 0.1 })).toThrow('SGD: params[0] is the number 1, not a Tensor or a parameter group');
  });

  it('an option the optimizer does not have is refused, not ignored (the newer optimizers)', () => {
    const ps = model.parameters();
    expectRangeError(() => new optim.NAdam(ps, { lrr: 0.1 } as never), "NAdam: unknown option 'lrr'", 'lr, betas, eps');
    expectRangeError(() => new optim.Rprop(ps, { momentum: 0.9 } as never), "Rprop: unknown option 'momentum'");
    expectRangeError(() => new optim.LBFGS(ps, { line_search_fn: 'strong_wolfe' } as never), "LBFGS: unknown option 'line_search_fn'");
    for (const make of [optim.Adadelta, optim.Adamax, optim.RAdam, optim.Lion]) {
      expectRangeError(() => new make(ps, { weight_decay: 0.1 } as never), "unknown option 'weight_decay'");
    }
    expect(() => new optim.Adadelta(ps, null as never)).toThrow('Adadelta: options must be an object, got null');
  });

  it('the classic optimizers refuse unknown options too, and name the ones they have', () => {
    const ps = model.parameters();
    expectRangeError(() => new optim.SGD(ps, { lr: 0.1, lrr: 0.1 } as never), "SGD: unknown option 'lrr'", 'lr, momentum, dampening, nesterov, weightDecay, fused');
    expectRangeError(() => new optim.Momentum(ps, { lr: 0.1, dampening: 0.1 } as never), "Momentum: unknown option 'dampening'");
    expectRangeError(() => new optim.AdaGrad(ps, { initial_accumulator_value: 0.1 } as never), "AdaGrad: unknown option 'initial_accumulator_value'");
    expectRangeError(() => new optim.RMSprop(ps, { beta: 0.9 } as never), "RMSprop: unknown option 'beta'");
    expectRangeError(() => new optim.Adam(ps, { weight_decay: 0.1 } as never), "Adam: unknown option 'weight_decay'");
    expectRangeError(() => new optim.AdamW(ps, { decoupledWeightDecay: true } as never), "AdamW: unknown option 'decoupledWeightDecay'");
    expect(() => new optim.Adam(ps, 'fast' as never)).toThrow('Adam: options must be an object, got the string "fast"');
  });

  it('every optimizer but LBFGS takes fused: true or false, and nothing else', () => {
    const ps = model.parameters();
    const makers = [
      (fused: unknown) => new optim.SGD(ps, { lr: 0.1, fused } as never),
      (fused: unknown) => new optim.Momentum(ps, { lr: 0.1, fused } as never),
      (fused: unknown) => new optim.AdaGrad(ps, { fused } as never),
      (fused: unknown) => new optim.RMSprop(ps, { fused } as never),
      (fused: unknown) => new optim.Adam(ps, { fused } as never),
      (fused: unknown) => new optim.AdamW(ps, { fused } as never),
      (fused: unknown) => new optim.Adadelta(ps, { fused } as never),
      (fused: unknown) => new optim.Adamax(ps, { fused } as never),
      (fused: unknown) => new optim.NAdam(ps, { fused } as never),
      (fused: unknown) => new optim.RAdam(ps, { fused } as never),
      (fused: unknown) => new optim.Rprop(ps, { fused } as never),
      (fused: unknown) => new optim.Lion(ps, { fused } as never),
    ];
    for (const make of makers) {
      expect(make(false).fused).toBe(false);
      expect(make(true).fused).toBe(true);
      expect(make(undefined).fused).toBe(true);
      expectRangeError(() => make('yes'), 'fused must be true or false, got the string "yes"');
      expectRangeError(() => make(1), 'fused must be true or false, got the number 1');
    }
    expectRangeError(() => new optim.LBFGS(ps, { fused: true } as never), "LBFGS: unknown option 'fused' (LBFGS has no fused update");
  });
});
