/** Module: buffers, forwards returning any type, errors that name the module, trace events with module paths. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const { nn } = tg;
beforeEach(() => tg.manualSeed(5));

class Counter extends nn.Module {
  fc = new nn.Dense(2, 2);
  steps = new nn.Buffer(tg.zeros([1], { dtype: 'int32' }));
  stats = [new nn.Buffer(tg.ones([2]))];
  forward(x: tg.Tensor): { y: tg.Tensor; n: number } {
    this.steps.data[0] += 1;
    return { y: this.fc.forward(x), n: this.steps.data[0] };
  }
}

describe('Buffer', () => {
  it('is listed by buffers() and stateDict(), never by parameters(), and gets no gradient', () => {
    const m = new Counter();
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['steps', 'stats.0']);
    expect(m.buffers()).toEqual([m.steps, m.stats[0]]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['fc.weight', 'fc.bias']);
    expect(Object.keys(m.stateDict())).toEqual(['fc.weight', 'fc.bias', 'steps', 'stats.0']);
    expect(m.steps.requiresGrad).toBe(false);
    expect(m.stateDict().steps.dtype).toBe('int32');
  });

  it('wraps a tensor without copying and keeps its dtype', () => {
    const t = tg.tensor([1, 2, 3], { dtype: 'int32' });
    const b = new nn.Buffer(t);
    expect(b.dtype).toBe('int32');
    expect(b.data).toBe(t.data);
    expect(new nn.Buffer(new Float32Array([1, 2, 3, 4]), [2, 2]).shape).toEqual([2, 2]);
  });

  it('round-trips through stateDict/loadStateDict, and a wrong dtype is refused with nothing changed', () => {
    const a = new Counter(), b = new Counter();
    a.forward(tg.zeros([1, 2]));
    a.forward(tg.zeros([1, 2]));
    b.loadStateDict(a.stateDict());
    expect(b.steps.data[0]).toBe(2);
    const sd = a.stateDict();
    sd.steps = tg.zeros([1]);
    const before = b.fc.weight.toArray();
    expect(() => b.loadStateDict(sd)).toThrow(/steps is float32, the model needs int32/);
    expect(b.fc.weight.toArray()).toEqual(before);
    const missing = a.stateDict();
    delete missing['stats.0'];
    expect(() => b.loadStateDict(missing)).toThrow(/missing: stats\.0/);
  });

  it('forward may return any type (here an object with a number)', () => {
    const out = new Counter().forward(tg.zeros([3, 2]));
    expect(out.y.shape).toEqual([3, 2]);
    expect(out.n).toBe(1);
  });
});

class Inner extends nn.Module {
  layers: tg.nn.Sequential;
  constructor(hidden = 5) {
    super();
    this.layers = new nn.Sequential(new nn.Dense(4, 3), new nn.ReLU(), new nn.Dense(hidden, 2));
  }

  forward(x: tg.Tensor): tg.Tensor {
    return this.layers.forward(x);
  }
}

class Outer extends nn.Module {
  encoder: Inner;
  constructor(hidden = 5) {
    super();
    this.encoder = new Inner(hidden);
  }

  forward(x: tg.Tensor): tg.Tensor {
    return this.encoder.forward(x);
  }
}

describe('errors name the module they came from', () => {
  it('by dotted path and class, keeping the error class', () => {
    const model = new nn.Sequential(new nn.Dense(3, 4), new nn.ReLU(), new nn.Dense(4, 2), new nn.Dense(4, 1));
    let err: unknown;
    try { model.forward(tg.zeros([2, 3])); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(tg.ShapeError);
    expect((err as Error).message).toBe('model.3 (Dense): linear: input [2,2] must end in 4 features to match weight [1,4]');
    expect((err as Error).stack).toContain('model.3 (Dense): linear');
  });

  it('through nested modules and Sequential, once, however deep', () => {
    expect(() => new Outer().forward(tg.zeros([1, 4]))).toThrow(/^model\.encoder\.layers\.2 \(Dense\): linear: input \[1,3\] must end in 5 features/);
  });

  it('an error in the outermost module names its class only', () => {
    expect(() => new nn.CrossEntropyLoss().forward(tg.zeros([2, 3]), [0, 7])).toThrow(/^CrossEntropyLoss: crossEntropy: label 1 is 7, outside the 3 classes/);
    expect(() => new nn.Dense(4, 2).forward(tg.zeros([4]).reshape([2, 2]))).toThrow(/^Dense: linear: /);
  });

  it('a failed forward leaves the running-module stack clean for the next call', () => {
    const model = new Outer();
    expect(() => model.forward(tg.zeros([1, 7]))).toThrow(/model\.encoder\.layers\.0 \(Dense\)/);
    expect(() => new nn.Dense(2, 2).forward(tg.zeros([1, 3]))).toThrow(/^Dense: linear/);
  });
});

describe('op traces carry the module path', () => {
  it('each op event names the innermost module running it', () => {
    const model = new Outer(3);
    const { events } = tg.ops.trace(() => model.forward(tg.zeros([1, 4])));
    const flatten = (evs: tg.ops.TraceEvent[]): tg.ops.TraceEvent[] => evs.flatMap((e) => [e, ...flatten(e.children)]);
    const linears = flatten(events).filter((e) => e.op === 'linear');
    expect(linears.map((e) => [e.module, e.moduleType])).toEqual([['encoder.layers.0', 'Dense'], ['encoder.layers.2', 'Dense']]);
    expect(flatten(events).find((e) => e.op === 'relu')!.module).toBe('encoder.layers.1');
  });
});
