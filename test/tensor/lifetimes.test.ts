/**
 * Lifetimes on the cpu: memory() counts every tensor until it is disposed (by dispose() or at
 * the end of the tidy that made it) or collected; these check every way out of a tidy (returned,
 * returned through nested tidies, kept, a gradient), after a real collection.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { syncCollector } from '../../src/platform/node/index.ts';

const collector = syncCollector();

/** Collects until the finalizer callbacks have run (they run as tasks after a collection). */
async function collect(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    collector!.gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.skipIf(collector === null)('memory() counts dropped cpu tensors out, whichever way they left a tidy', () => {
  it('made outside any tidy; returned from the outermost tidy; returned through nested tidies; kept inside one', async () => {
    await collect();
    const base = tg.memory();
    (() => {
      tg.zeros([10]);
      tg.tidy(() => tg.ones([20]).mul(2));
      tg.tidy(() => tg.tidy(() => [tg.zeros([3]), { t: tg.ones([4]) }]));
      tg.tidy(() => { tg.keep(tg.zeros([5])); tg.zeros([6]); });
    })();
    // Still alive until collected: 1 + 1 + 2 + 1 (the ones([20]) and zeros([6]) were disposed).
    expect(tg.memory().tensors - base.tensors).toBe(5);
    expect(tg.memory().bytes - base.bytes).toBe(4 * (10 + 20 + 3 + 4 + 5));
    await collect();
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

  it('gradients (kept by backward inside a tidy) are counted out when the leaf and its grad are dropped', async () => {
    await collect();
    const base = tg.memory();
    (() => {
      const w = tg.ones([8], { requiresGrad: true });
      tg.tidy(() => { w.mul(w).sum().backward(); });
      expect(w.grad).not.toBeNull();
      expect(Array.from(w.grad!.data)).toEqual(new Array(8).fill(2));
    })();
    await collect();
    expect(tg.memory()).toEqual(base);
  });
});
