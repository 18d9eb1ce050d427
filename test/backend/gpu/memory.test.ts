/**
 * Device memory in a synchronous loop: textures of tensors nobody references any more are
 * freed while the loop runs (a training loop never yields to the event loop, where
 * ordinary finalizers would run), and live tensors are never freed.
 */
import { describe, expect, it } from 'vitest';
import { GpuData } from '../../../src/backend/gpu/runtime.ts';
import { glAvailable, glBackend, noticeIfSkipped, random, runOn } from './support.ts';

noticeIfSkipped('memory.test.ts');

describe.skipIf(!glAvailable)('gpu memory (headlessgl)', () => {
  it('frees the textures of dropped results during a synchronous loop, and keeps live ones intact', () => {
    const k = glBackend();
    const n = 1 << 20; // 16 MiB of RGBA float32 texels per result
    const x = random(n, 1);
    const kept = runOn(k, '-x', x, n) as GpuData;
    // Keep the dropped results' textures (not their GpuData wrappers) to see which were freed.
    const textures: { _deleted: boolean }[] = [];
    // 24 results of 16 MiB, all dropped at once: past the 256 MiB budget a sweep must run.
    for (let i = 0; i < 24; i++) textures.push((runOn(k, 'x * s', x, n, { s: i }) as GpuData).value as unknown as { _deleted: boolean });
    expect(textures.filter((t) => t._deleted).length).toBeGreaterThan(0);
    expect((kept.value as unknown as { _deleted: boolean })._deleted).toBe(false);
    const back = kept.download();
    expect(back[0]).toBe(-x[0]);
    expect(back[n - 1]).toBe(-x[n - 1]);
  });
});
