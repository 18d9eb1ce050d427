/**
 * Whole training steps through the public API on the gpu backend: an MLP and a small CNN
 * give the same losses and parameters as on the cpu backend within float32 tolerance, and a
 * step keeps its intermediates on the device (only the loss op's host read and the loss value
 * come back).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../../src/index.ts';
import { GpuData } from '../../../src/backend/gpu/runtime.ts';
import { glAvailable, noticeIfSkipped } from './support.ts';

noticeIfSkipped('training.test.ts');

type Kind = 'mlp' | 'cnn';

function model(kind: Kind): tg.nn.Sequential {
  const { nn } = tg;
  return kind === 'mlp'
    ? new nn.Sequential(new nn.Dense(20, 33), new nn.ReLU(), new nn.Dense(33, 17), new nn.Tanh(), new nn.Dense(17, 10))
    : new nn.Sequential(
      new nn.Conv2D(2, 4, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2D(2),
      new nn.Conv2D(4, 6, 3, { stride: 2 }), new nn.Sigmoid(), new nn.Flatten(), new nn.Dense(6 * 2 * 2, 10),
    );
}

/** Trains `steps` steps from seed 7 on the named backend; returns the losses and final parameters. */
function train(backendName: 'cpu' | 'gpu', mode: string | undefined, kind: Kind, optimizer: 'sgd' | 'adam', steps: number) {
  if (backendName === 'gpu') tg.setBackend('gpu', mode ? { mode } : undefined);
  else tg.setBackend('cpu');
  tg.manualSeed(7);
  const net = model(kind);
  const x = kind === 'mlp' ? tg.randn([16, 20]) : tg.randn([6, 2, 11, 11]);
  const labels = Int32Array.from({ length: x.shape[0] }, (_, i) => (i * 7) % 10);
  const opt = optimizer === 'adam'
    ? new tg.optim.Adam(net.parameters(), { lr: 0.01 })
    : new tg.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
  const lossFn = new tg.nn.CrossEntropyLoss();
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = lossFn.forward(net.forward(x), labels);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return { losses, params: net.parameters(), net };
}

function expectSameTraining(mode: string | undefined, kind: Kind, optimizer: 'sgd' | 'adam', steps: number): void {
  const want = train('cpu', undefined, kind, optimizer, steps);
  const got = train('gpu', mode, kind, optimizer, steps);
  // Parameters trained on the gpu stay there.
  for (const p of got.params) expect(p.storage).toBeInstanceOf(GpuData);
  got.losses.forEach((l, i) => expect(Math.abs(l - want.losses[i]), `loss at step ${i}: ${l} vs ${want.losses[i]}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want.losses[i]))));
  got.params.forEach((p, i) => {
    const a = p.data, b = want.params[i].data;
    for (let j = 0; j < a.length; j++) {
      if (!(Math.abs(a[j] - b[j]) <= 1e-4 * Math.max(1, Math.abs(b[j])))) expect.fail(`parameter ${i} element ${j}: ${a[j]} vs ${b[j]}`);
    }
  });
  // The losses really went down: the steps did something on both backends.
  expect(got.losses[steps - 1]).toBeLessThan(got.losses[0]);
}

afterEach(() => tg.setBackend('cpu'));

describe.skipIf(!glAvailable)('training on the gpu backend: headlessgl (Mesa GLSL)', () => {
  for (const kind of ['mlp', 'cnn'] as const) {
    for (const optimizer of ['sgd', 'adam'] as const) {
      it(`${kind} with ${optimizer}: same losses and parameters as the cpu backend`, () => expectSameTraining(undefined, kind, optimizer, 4));
    }
  }

  it('a training step reads back nothing but the loss', () => {
    const { net } = train('gpu', undefined, 'mlp', 'adam', 1); // compiles every kernel first
    const x = tg.randn([16, 20]);
    const labels = Int32Array.from({ length: 16 }, (_, i) => i % 10);
    const opt = new tg.optim.Adam(net.parameters(), { lr: 0.01 });
    const sizes: number[] = [];
    const original = GpuData.prototype.download;
    GpuData.prototype.download = function (this: GpuData) { sizes.push(this.length); return original.call(this); };
    try {
      opt.zeroGrad();
      const loss = new tg.nn.CrossEntropyLoss().forward(net.forward(x), labels);
      loss.backward();
      opt.step();
      loss.item();
    } finally {
      GpuData.prototype.download = original;
    }
    // Host labels are range-checked on the host; only .item() reads the device.
    expect(sizes).toEqual([1]);
  });
});

describe('training on the gpu backend: gpu.js cpu mode', () => {
  it('mlp with adam: same losses and parameters as the cpu backend', () => expectSameTraining('cpu', 'mlp', 'adam', 3));
  it('cnn with sgd: same losses and parameters as the cpu backend', () => expectSameTraining('cpu', 'cnn', 'sgd', 2));
});
