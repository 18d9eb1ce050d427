import { describe, expect, it } from 'vitest';
import { ShapeError, Tensor, optim, tensor } from '../../src/index.ts';
import { gradPlan, initValues } from './helpers.ts';

// What every optimizer's step() promises: step(closure) as in PyTorch, every gradient and
// option checked before anything changes, NaN gradients let through (PyTorch's policy).

type Make = (ps: Tensor[], fused?: boolean) => optim.Optimizer<optim.BaseOptions>;
const elementwise: [string, Make][] = [
  ['SGD', (ps, fused) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, fused })],
  ['Momentum', (ps, fused) => new optim.Momentum(ps, { lr: 0.1, fused })],
  ['AdaGrad', (ps, fused) => new optim.AdaGrad(ps, { fused })],
  ['RMSprop', (ps, fused) => new optim.RMSprop(ps, { centered: true, fused })],
  ['Adam', (ps, fused) => new optim.Adam(ps, { amsgrad: true, fused })],
  ['AdamW', (ps, fused) => new optim.AdamW(ps, { fused })],
  ['Adadelta', (ps, fused) => new optim.Adadelta(ps, { fused })],
  ['Adamax', (ps, fused) => new optim.Adamax(ps, { fused })],
  ['NAdam', (ps, fused) => new optim.NAdam(ps, { fused })],
  ['RAdam', (ps, fused) => new optim.RAdam(ps, { fused })],
  ['Rprop', (ps, fused) => new optim.Rprop(ps, { fused })],
  ['Lion', (ps, fused) => new optim.Lion(ps, { weightDecay: 0.1, fused })],
];

const sizes = [4, 3, 2];
const values = (ps: Tensor[]): number[][] => ps.map((p) => Array.from(p.data));
const plainState = (opt: optim.Optimizer<optim.BaseOptions>): string => JSON.stringify(opt.stateDict(), (_, v) => (v instanceof Tensor ? Array.from(v.data) : v));

function setGrads(ps: Tensor[], grads: (number[] | null)[]): void {
  ps.forEach((p, i) => { p.grad = grads[i] ? tensor(grads[i]!) : null; });
}

describe('step(closure): the closure runs first, its loss is returned', () => {
  for (const [name, make] of elementwise) {
    it(name, () => {
      const plan = gradPlan(3, 3, sizes);
      const viaClosure = initValues(sizes).map((v) => tensor(v, { requiresGrad: true }));
      const direct = initValues(sizes).map((v) => tensor(v, { requiresGrad: true }));
      const o1 = make(viaClosure), o2 = make(direct);
      for (const grads of plan) {
        let calls = 0;
        const loss = o1.step(() => {
          calls++;
          setGrads(viaClosure, grads);
          return 42;
        });
        expect(calls).toBe(1);
        expect(loss).toBe(42);
        setGrads(direct, grads);
        expect(o2.step()).toBeUndefined();
      }
      expect(values(viaClosure)).toEqual(values(direct));
      expect(() => o1.step(42 as never)).toThrow(`${name}.step: closure must be a function that returns the loss, got the number 42`);
    });
  }

  it('with a real loss: the closure recomputes forward and backward, the tensor comes back', () => {
    const w = tensor([1, -2], { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.1 });
    const x = tensor([3, 1]);
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = w.mul(x).sum().pow(2);
      l.backward();
      return l;
    });
    expect(loss).toBeInstanceOf(Tensor);
    expect(loss!.item()).toBe(1);
    expect(Array.from(w.data).map((v) => +v.toFixed(6))).toEqual([0.9, -2.1]); // Adam's first step: lr·sign(g)
  });
});

describe('a step that cannot complete changes nothing', () => {
  for (const [name, make] of elementwise) {
    it(`${name}: a gradient that is not a Tensor (on the last parameter) fails before any parameter moves`, () => {
      const ps = initValues(sizes).map((v) => tensor(v, { requiresGrad: true }));
      const opt = make(ps);
      setGrads(ps, gradPlan(4, 1, sizes)[0]);
      opt.step();
      const before = values(ps);
      const state = plainState(opt);
      setGrads(ps, gradPlan(5, 1, sizes)[0]);
      [[1, 2], new Float32Array(2), undefined, 'g'].forEach((bad, k) => {
        ps[2].grad = bad as never;
        expect(() => opt.step()).toThrow(TypeError);
        expect(() => opt.step()).toThrow(`${name}.step: parameter 2 of group 0 has a gradient that is ${['an Array', 'a Float32Array', 'undefined', 'the string "g"'][k]}, not a Tensor`);
        expect(values(ps)).toEqual(before);
        expect(plainState(opt)).toBe(state);
      });
      ps[2].grad = tensor([1, 2, 3]);
      expect(() => opt.step()).toThrow(ShapeError);
      expect(values(ps)).toEqual(before);
      expect(plainState(opt)).toBe(state);
    });

    it(`${name}: an option made invalid between steps is refused at the next step, with nothing changed`, () => {
      const ps = initValues(sizes).map((v) => tensor(v, { requiresGrad: true }));
      const opt = make(ps);
      const plan = gradPlan(6, 4, sizes);
      setGrads(ps, plan[0]);
      opt.step();
      const before = values(ps);
      const state = plainState(opt);
      const good = opt.paramGroups[0].lr;
      for (const lr of [-0.1, NaN, '0.1' as never]) {
        opt.paramGroups[0].lr = lr;
        setGrads(ps, plan[1]);
        expect(() => opt.step()).toThrow(`${name}.step (group 0): lr must be a finite number ≥ 0, got`);
        expect(values(ps)).toEqual(before);
        expect(plainState(opt).replace(/"lr":(null|-0\.1|"0\.1")/, `"lr":${good}`)).toBe(state);
      }
      // Fixed, the run continues exactly as one that never failed.
      opt.paramGroups[0].lr = good;
      setGrads(ps, plan[1]);
      opt.step();
      const clean = initValues(sizes).map((v) => tensor(v, { requiresGrad: true }));
      const cleanOpt = make(clean);
      for (const grads of plan.slice(0, 2)) {
        setGrads(clean, grads);
        cleanOpt.step();
      }
      expect(values(ps)).toEqual(values(clean));
    });
  }

  it('a parameter group made invalid by hand (a non-tensor pushed into params) is refused', () => {
    const ps = initValues(sizes).map((v) => tensor(v, { requiresGrad: true }));
    const opt = new optim.Adam(ps);
    (opt.paramGroups[0].params as unknown[]).push({ data: [1] });
    setGrads(ps, gradPlan(7, 1, sizes)[0]);
    expect(() => opt.step()).toThrow('Adam.step: parameter 3 of group 0 is an Object, not a Tensor');
    expect(values(ps)).toEqual(initValues(sizes).map((v) => v.map(Math.fround)));
  });

  it('addParamGroup with a bad option leaves the groups as they were', () => {
    const ps = initValues(sizes).map((v) => tensor(v, { requiresGrad: true }));
    const opt = new optim.NAdam([ps[0]]);
    expect(() => opt.addParamGroup({ params: [ps[1]], momentumDecay: -1 })).toThrow('NAdam (group 1): momentumDecay must be a finite number ≥ 0, got -1');
    expect(() => opt.addParamGroup({ params: [ps[1]], nesterov: true } as never)).toThrow("NAdam (group 1): unknown option 'nesterov'");
    expect(opt.paramGroups).toHaveLength(1);
    opt.addParamGroup({ params: [ps[1]], lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.002, 0.1]);
  });
});

describe('NaN gradients are not errors (as in PyTorch): they reach the weights, and fit() stops on the loss', () => {
  // Rprop and Lion too: tsgrad's sign keeps NaN (torch.sign gives 0, which would leave the
  // coordinate in place and hide the NaN).
  for (const fused of [true, false]) for (const [name, make] of elementwise) {
    it(`${name}${fused ? '' : ' (fused: false)'}`, () => {
      const p = tensor([1, 2], { requiresGrad: true });
      const opt = make([p], fused);
      p.grad = tensor([NaN, 1]);
      expect(() => opt.step()).not.toThrow();
      expect(p.data[0]).toBeNaN();
      expect(Number.isFinite(p.data[1])).toBe(true);
    });
  }
});
