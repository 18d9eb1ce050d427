/** Module: automatic registration, naming, modes, stateDict / loadStateDict. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const { nn } = tg;
beforeEach(() => tg.manualSeed(3));

class Block extends nn.Module {
  fc = new nn.Dense(4, 4);
  drop = new nn.Dropout(0.5);
  forward(x: tg.Tensor): tg.Tensor {
    return this.drop.forward(this.fc.forward(x).relu());
  }
}

class Net extends nn.Module {
  stem = new nn.Dense(3, 4);
  blocks = [new Block(), new Block()];
  heads = { main: new nn.Dense(4, 2), aux: new nn.Dense(4, 1, { bias: false }) };
  scale = new nn.Parameter(tg.ones([1]));
  notAParameter = tg.ones([5]); // a plain tensor is state, not a parameter (as in PyTorch)
  label = 'net';
  forward(x: tg.Tensor): tg.Tensor {
    let h = this.stem.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return this.heads.main.forward(h).mul(this.scale);
  }
}

describe('registration by fields', () => {
  it('finds parameters in fields, arrays and plain objects, named by dotted paths in field order', () => {
    const names = new Net().namedParameters().map(([n, p]) => `${n}${JSON.stringify(p.shape)}`);
    expect(names).toEqual([
      'stem.weight[4,3]', 'stem.bias[4]',
      'blocks.0.fc.weight[4,4]', 'blocks.0.fc.bias[4]',
      'blocks.1.fc.weight[4,4]', 'blocks.1.fc.bias[4]',
      'heads.main.weight[2,4]', 'heads.main.bias[2]',
      'heads.aux.weight[1,4]',
      'scale[1]',
    ]);
  });

  it('parameters() are the same objects as the fields, and require grad', () => {
    const net = new Net();
    const ps = net.parameters();
    expect(ps[0]).toBe(net.stem.weight);
    expect(ps[2]).toBe(net.blocks[0].fc.weight);
    expect(ps.every((p) => p instanceof nn.Parameter && p.requiresGrad)).toBe(true);
  });

  it('picks up members assigned after construction', () => {
    const net = new Net();
    (net as unknown as { extra: tg.nn.Dense }).extra = new nn.Dense(2, 2);
    expect(net.namedParameters().map(([n]) => n).slice(-2)).toEqual(['extra.weight', 'extra.bias']);
  });

  it('lists a shared (tied) parameter and a module reused twice only once', () => {
    class Tied extends nn.Module {
      a = new nn.Dense(3, 3);
      b = this.a;
      w = this.a.weight;
      forward(x: tg.Tensor) { return this.b.forward(this.a.forward(x)); }
    }
    expect(new Tied().namedParameters().map(([n]) => n)).toEqual(['a.weight', 'a.bias']);
  });

  it('survives a module that refers back to its parent', () => {
    class Child extends nn.Module {
      parent: tg.nn.Module | null = null;
      fc = new nn.Dense(2, 2);
      forward(x: tg.Tensor) { return this.fc.forward(x); }
    }
    class Parent extends nn.Module {
      child = new Child();
      constructor() { super(); this.child.parent = this; }
      forward(x: tg.Tensor) { return this.child.forward(x); }
    }
    expect(new Parent().namedParameters().map(([n]) => n)).toEqual(['child.fc.weight', 'child.fc.bias']);
  });

  it('Sequential names its children 0, 1, … like PyTorch', () => {
    const m = new nn.Sequential(new nn.Dense(4, 3), new nn.ReLU(), new nn.Dense(3, 2));
    expect(Object.keys(m.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    expect(() => new nn.Sequential(new nn.ReLU(), {} as tg.nn.Module)).toThrow(/Sequential: layer 1 is not a Module/);
  });

  it('Sequential applies its layers in order', () => {
    const m = new nn.Sequential(new nn.Flatten(), new nn.ReLU());
    expect(m.forward(tg.tensor([[[-1, 2], [3, -4]]])).toArray()).toEqual([[0, 2, 3, 0]]);
  });
});

describe('train / eval', () => {
  it('switch every sub-module, including those in arrays', () => {
    const net = new Net();
    expect(net.eval()).toBe(net);
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    expect(net.blocks[1].drop.training).toBe(false);
    net.train();
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
  });

  it('eval makes dropout the identity, so the output is deterministic', () => {
    const net = new Net().eval();
    const x = tg.randn([5, 3]);
    expect(net.forward(x).toArray()).toEqual(net.forward(x).toArray());
  });
});

describe('stateDict / loadStateDict', () => {
  it('stateDict holds copies: later training does not change it', () => {
    const net = new Net();
    const sd = net.stateDict();
    const before = sd['stem.weight'].data[0];
    net.stem.weight.data[0] += 1;
    expect(sd['stem.weight'].data[0]).toBe(before);
  });

  it('round-trips into a freshly initialised model and keeps the parameter arrays', () => {
    const a = new Net(), b = new Net();
    const arr = b.stem.weight.data;
    b.loadStateDict(a.stateDict());
    expect(b.stem.weight.data).toBe(arr);
    for (const [name, p] of b.namedParameters()) expect(Array.from(p.data)).toEqual(Array.from(a.stateDict()[name].data));
    const x = tg.randn([2, 3]);
    a.eval(); b.eval();
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });

  const snapshot = (m: tg.nn.Module) => m.parameters().map((p) => Array.from(p.data));

  it('refuses missing, unexpected and mis-shaped entries, naming them, and changes nothing', () => {
    const net = new Net();
    const before = snapshot(net);
    const good = new Net().stateDict();

    const missing = { ...good };
    delete missing['heads.aux.weight'];
    expect(() => net.loadStateDict(missing)).toThrow(/missing: heads\.aux\.weight/);

    expect(() => net.loadStateDict({ ...good, 'heads.aux.bias': tg.zeros([1]) })).toThrow(/unexpected: heads\.aux\.bias/);
    expect(() => net.loadStateDict({ ...good, 'stem.weight': tg.zeros([3, 4]) })).toThrow(/stem\.weight has shape \[3,4\], the model needs \[4,3\]/);
    expect(() => net.loadStateDict({ ...good, scale: [1] as unknown as tg.Tensor })).toThrow(/scale is not a Tensor/);
    expect(() => net.loadStateDict({ ...good, 'stem.weight': tg.zeros([3, 4]) })).toThrow(nn.StateDictError);
    expect(snapshot(net)).toEqual(before);
  });
});

describe('Parameter', () => {
  it('wraps a tensor or a Float32Array and requires grad', () => {
    const p = new nn.Parameter(tg.tensor([[1, 2], [3, 4]]));
    expect(p.shape).toEqual([2, 2]);
    expect(p.requiresGrad).toBe(true);
    const q = new nn.Parameter(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(q.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(() => new nn.Parameter(new Float32Array(5), [2, 3])).toThrow(tg.ShapeError);
  });

  it('zeroGrad clears every gradient', () => {
    const net = new Net();
    net.forward(tg.randn([2, 3])).sum().backward();
    expect(net.stem.weight.grad).not.toBeNull();
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });
});

describe('toString', () => {
  it('outlines the model with indented children and parameter shapes', () => {
    const m = new nn.Sequential(new nn.Conv2D(1, 2, 3), new nn.ReLU(), new nn.Flatten(), new nn.Dense(8, 2, { bias: false }));
    expect(m.toString()).toBe([
      'Sequential',
      '  (0) Conv2D(1, 2, 3, stride=1, padding=0)  weight[2,1,3,3] bias[2]',
      '  (1) ReLU',
      '  (2) Flatten(1, -1)',
      '  (3) Dense(8, 2, bias=false)  weight[2,8]',
    ].join('\n'));
  });
});
