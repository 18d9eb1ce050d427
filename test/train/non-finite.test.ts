/**
 * fit() and non-finite values beyond the loss: an infinite gradient behind a finite loss
 * stops the run before the step, naming the parameter; a step that overflows a parameter
 * stops it right after, and says the update was applied. findNonFinite, which does the
 * checking, is held to a plain scan — on host tensors and on device tensors it must not
 * move to the host.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { DataLoader } from '../../src/data/dataloader.ts';
import { fit } from '../../src/train/fit.ts';
import { NonFiniteLossError } from '../../src/train/errors.ts';
import { findNonFinite } from '../../src/train/finite.ts';
import { blobs } from './helpers.ts';

const { nn } = tg;
afterEach(() => tg.setBackend('cpu'));

/** Logits scaled by 1 + Σ√w: with w[0] = 0 the loss is finite but ∂loss/∂w[0] = ∞. */
class SqrtScaled extends nn.Module {
  dense = new nn.Dense(4, 3);
  w = new nn.Parameter(tg.tensor([0, 1]));
  forward(x: tg.Tensor): tg.Tensor {
    return this.dense.forward(x).mul(tg.ops.sqrt(this.w).sum().add(-1));
  }
}

const bits = (m: tg.nn.Module) => m.parameters().map((p) => Array.from(new Uint32Array(p.data.buffer, p.data.byteOffset, p.size)));

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('fit checks the gradients before each step', () => {
  it('a finite loss with an infinite gradient stops before the update, naming the parameter', () => {
    tg.manualSeed(4);
    const model = new SqrtScaled();
    const optimizer = new tg.optim.Adam(model.parameters(), { lr: 0.1 });
    const loader = new DataLoader(blobs(30), { batchSize: 10 });
    const before = bits(model);
    const optimizerBefore = optimizer.stateDict();
    const err = caught(() => fit(model, loader, { optimizer, loss: new nn.CrossEntropyLoss(), epochs: 2, progress: false }));
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.message).toMatch(
      /^fit: the gradient of parameter 'w' \(loss \d\.\d+\) became -?Infinity at epoch 1, batch 1\/3; training stopped before this batch's update: the parameters hold the previous batch's values/,
    );
    expect((err as NonFiniteLossError).applied).toBe(false);
    expect(bits(model)).toEqual(before);
    expect(optimizer.stateDict()).toEqual(optimizerBefore);
  });

  it('a step that overflows a parameter stops right after it, and says the update was applied', () => {
    tg.manualSeed(4);
    const model = new nn.Dense(4, 3);
    const loader = new DataLoader(blobs(30), { batchSize: 10 });
    const err = caught(() => fit(model, loader, { optimizer: new tg.optim.SGD(model.parameters(), { lr: 1e39 }), loss: new nn.CrossEntropyLoss(), epochs: 1, progress: false }));
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err.message).toMatch(
      /^fit: parameter '(weight|bias)' \(loss and gradients were finite; the update overflowed\) became (-?Infinity|NaN) at epoch 1, batch 1\/3; training stopped after this batch's update, which the parameters hold/,
    );
    expect((err as NonFiniteLossError).applied).toBe(true);
  });
});

describe('findNonFinite', () => {
  const lists: [string, (number[] | null)[], { index: number; value: number } | null][] = [
    ['all finite', [[1, -2, 3e38], [0, -0]], null],
    ['an empty tensor and a null', [[], null], null],
    ['NaN in the second tensor', [[1, 2], [3, NaN, Infinity]], { index: 1, value: NaN }],
    ['-Infinity first', [[-Infinity], [NaN]], { index: 0, value: -Infinity }],
    ['a null (no gradient) before the bad one', [null, [1, Infinity]], { index: 1, value: Infinity }],
  ];

  for (const backend of ['cpu', 'gpu (gpu.js cpu mode: device data without GL)'] as const) {
    for (const [what, values, expected] of lists) {
      it(`${backend}: ${what}`, () => {
        if (backend === 'cpu') tg.setBackend('cpu');
        else tg.setBackend('gpu', { mode: 'cpu' });
        const tensors = values.map((v) => (v === null ? null : tg.tensor(v).add(0))); // add(0): computed on the backend
        const onHost = tensors.map((t) => t !== null && t.storage instanceof Float32Array);
        const found = findNonFinite(tensors);
        if (expected === null) expect(found).toBeNull();
        else {
          expect(found?.index).toBe(expected.index);
          expect(Object.is(found?.value, expected.value)).toBe(true);
        }
        // the check never moves device tensors to the host
        expect(tensors.map((t) => t !== null && t.storage instanceof Float32Array)).toEqual(onHost);
        // and on the gpu backend the device branch really ran
        if (backend !== 'cpu' && values.some((v) => v?.length)) expect(onHost.some((h) => !h)).toBe(true);
      });
    }
  }
});

describe('a failed fit leaves the training loader consistent with the weights', () => {
  /** Sample ids of each batch: the blobs' first feature column is not unique, so label-free ids come from a numbered dataset. */
  function numbered(n: number) {
    const images = tg.tensor(Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4)), { shape: [n, 4] });
    return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 3) };
  }
  const ids = (b: { x: tg.Tensor }) => Array.from({ length: b.x.shape[0] }, (_, i) => b.x.data[i * 4]);

  for (const seed of [5, undefined]) {
    it(`${seed === undefined ? 'unseeded' : 'seeded'}: after a NaN at epoch 2, batch 3 the loader continues with batch 3`, () => {
      tg.manualSeed(2);
      const reference = new DataLoader(numbered(40), { batchSize: 8, shuffle: true, seed });
      [...reference];
      const epoch2 = [...reference].map(ids);

      const model = new nn.Dense(4, 3); // drawn before the seed: the loader alone uses the stream after it
      tg.manualSeed(2);
      const loader = new DataLoader(numbered(40), { batchSize: 8, shuffle: true, seed });
      let calls = 0;
      const ce = new nn.CrossEntropyLoss();
      const loss = (p: tg.Tensor, y: Int32Array) => (++calls === 5 + 3 ? ce.forward(p, y).mul(NaN) : ce.forward(p, y));
      const err = caught(() => fit(model, loader, { optimizer: new tg.optim.SGD(model.parameters(), { lr: 0.01 }), loss, epochs: 3, progress: false }));
      expect(err.message).toMatch(/loss became NaN at epoch 2, batch 3\/5/);
      expect(loader.stateDict()).toMatchObject({ epoch: 1, batch: 2 });
      expect([...loader].map(ids)).toEqual(epoch2.slice(2));
    });
  }

  it('a failure at the very first batch leaves the loader exactly as it was', () => {
    const loader = new DataLoader(numbered(40), { batchSize: 8, shuffle: true, seed: 1 });
    [...loader];
    const before = loader.stateDict();
    const model = new nn.Dense(4, 3);
    caught(() => fit(model, loader, { optimizer: new tg.optim.SGD(model.parameters(), { lr: 0.01 }), loss: () => tg.tensor(NaN), epochs: 1, progress: false }));
    expect(loader.stateDict()).toEqual(before);
  });
});
