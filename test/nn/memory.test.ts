/**
 * Long graphs do not leak: an LSTM unrolled over 200 time steps and a stack of transformer
 * encoder layers train with each step inside tg.tidy, and the live tensor count (exact, unlike
 * RSS) does not grow after the first step. scripts/layer-memory.ts runs the full-size version
 * (100 steps) and prints RSS as well.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const { nn } = tg;

function liveTensorsPerStep(model: tg.nn.Module, step: () => tg.Tensor, steps: number): number[] {
  const optimizer = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const counts: number[] = [];
  for (let s = 0; s < steps; s++) {
    tg.tidy(() => {
      optimizer.zeroGrad();
      step().backward();
      optimizer.step();
    });
    counts.push(tg.memory().tensors);
  }
  return counts;
}

describe('memory stays flat over training steps', () => {
  it('LSTM over 200 time steps', () => {
    tg.manualSeed(1);
    const lstm = new nn.LSTM(3, 8, { numLayers: 2 });
    const x = tg.keep(tg.randn([200, 2, 3]));
    const counts = liveTensorsPerStep(lstm, () => lstm.forward(x)[0].pow(2).mean(), 6);
    expect(Math.max(...counts.slice(1))).toBeLessThanOrEqual(counts[0]);
  });

  it('a stack of TransformerEncoderLayers with a causal mask and dropout', () => {
    tg.manualSeed(2);
    const layers = [0, 1, 2, 3].map(() => new nn.TransformerEncoderLayer(16, 4, 32, { batchFirst: true }));
    const model = new nn.Sequential(...layers);
    const mask = tg.keep(nn.functional.causalMask(10));
    const x = tg.keep(tg.randn([2, 10, 16]));
    const counts = liveTensorsPerStep(model, () => {
      let h = x;
      for (const l of layers) h = l.forward(h, { srcMask: mask });
      return h.pow(2).mean();
    }, 6);
    expect(Math.max(...counts.slice(1))).toBeLessThanOrEqual(counts[0]);
  });

  it('BatchNorm keeps its running statistics alive across tidy scopes (their storage is replaced, not leaked)', () => {
    tg.manualSeed(3);
    const bn = new nn.BatchNorm2D(3);
    const counts: number[] = [];
    for (let s = 0; s < 5; s++) {
      tg.tidy(() => { bn.forward(tg.randn([4, 3, 2, 2])); });
      counts.push(tg.memory().tensors);
    }
    expect(Math.max(...counts)).toBeLessThanOrEqual(counts[0]);
    expect(bn.running_mean!.data.some((v) => v !== 0)).toBe(true);
  });
});
