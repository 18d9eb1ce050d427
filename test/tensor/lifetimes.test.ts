/**
 * Lifetimes on the cpu: memory() counts every tensor until it is disposed (by dispose() or at the
 * end of the tidy that made it), as TF.js does; these check every way out of a tidy (returned,
 * returned through nested tidies, kept, a gradient). A dropped tensor stays counted, but its
 * memory goes back to the collector, even inside a synchronous loop.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { syncCollector } from '../../src/platform/node/index.ts';

const collector = syncCollector();

describe('memory() counts cpu tensors until they are disposed, whichever way they left a tidy', () => {
  it('made outside any tidy; returned from the outermost tidy; returned through nested tidies; kept inside one', () => {
    const base = tg.memory();
    let kept: tg.Tensor | null = null;
    const alive = [
      tg.zeros([10]),
      tg.tidy(() => tg.ones([20]).mul(2)),
      ...(() => { const [a, { t }] = tg.tidy(() => tg.tidy(() => [tg.zeros([3]), { t: tg.ones([4]) }] as const)); return [a, t]; })(),
    ];
    tg.tidy(() => { kept = tg.keep(tg.zeros([5])); tg.zeros([6]); });
    // 1 + 1 + 2 + 1 alive: the ones([20]) before mul, and zeros([6]) were disposed by their tidies.
    expect(tg.memory().tensors - base.tensors).toBe(5);
    expect(tg.memory().bytes - base.bytes).toBe(4 * (10 + 20 + 3 + 4 + 5));
    for (const t of [...alive, kept!]) t.dispose();
    expect(tg.memory()).toEqual(base);
  });

  it('tensors a tidy disposes are counted out at once, and a returned one stays usable', () => {
    const base = tg.memory();
    const out = tg.tidy(() => tg.ones([7]).add(tg.ones([7])).mul(3));
    expect(tg.memory().tensors - base.tensors).toBe(1);
    expect(Array.from(out.data)).toEqual(new Array(7).fill(6));
    out.dispose();
    expect(tg.memory()).toEqual(base);
  });

  it('a gradient kept by backward inside a tidy is counted until zeroGrad disposes it', () => {
    const base = tg.memory();
    const w = tg.ones([8], { requiresGrad: true });
    const opt = new tg.optim.SGD([w], { lr: 0.1 });
    tg.tidy(() => { w.mul(w).sum().backward(); });
    expect(Array.from(w.grad!.data)).toEqual(new Array(8).fill(2));
    expect(tg.memory().tensors - base.tensors).toBe(2);
    opt.zeroGrad();
    expect(tg.memory().tensors - base.tensors).toBe(1);
    w.dispose();
    expect(tg.memory()).toEqual(base);
  });
});

// The bug this guards against: when memory() counted dropped tensors out through a
// FinalizationRegistry, the registry held each storage until its callback ran, and callbacks
// never run inside a synchronous loop: a training loop without tidy grew by gigabytes.
describe.skipIf(collector === null)('dropped tensors leave their memory to the collector', () => {
  it('inside one synchronous loop, 400 MB of dropped tensors are freed by a collection', () => {
    collector!.gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 100; i++) tg.ones([1 << 20]).mul(2); // two 4 MB tensors each, dropped
    collector!.gc();
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(64 * 2 ** 20);
  });
});
