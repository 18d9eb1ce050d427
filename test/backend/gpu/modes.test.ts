/**
 * Selecting the gpu backend: importing tsgrad never loads gpu.js, `setBackend('gpu')` finds
 * a mode that works (or says plainly why none does), explicit modes and bad options, and
 * tensors moving between backends and backend instances.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import * as tg from '../../../src/index.ts';
import { backend } from '../../../src/backend/registry.ts';
import { GpuUnavailableError } from '../../../src/backend/gpu/modes.ts';
import { createGpuBackend } from '../../../src/backend/gpu/index.ts';
import { GpuData } from '../../../src/backend/gpu/runtime.ts';
import { glAvailable, noticeIfSkipped, runOn } from './support.ts';

noticeIfSkipped('modes.test.ts');

afterEach(() => tg.setBackend('cpu'));

describe('gpu backend selection', () => {
  it('importing tsgrad does not load gpu.js (users without headless-gl lose nothing)', () => {
    const script =
      "const { createRequire } = await import('node:module');" +
      "await import('./src/index.ts');" +
      "const cache = createRequire(import.meta.url).cache;" +
      "const loaded = () => Object.keys(cache).some((k) => k.includes('gpu.js'));" +
      "const before = loaded();" +
      "(await import('./src/index.ts')).setBackend('gpu', { mode: 'cpu' });" +
      "console.log(JSON.stringify([before, loaded()]));";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // Not loaded by the import; loaded once the gpu backend is selected (the check can see it).
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual([false, true]);
  });

  it.skipIf(!glAvailable)('picks headless-gl in Node when it works, and reports it', () => {
    tg.setBackend('gpu');
    expect(tg.getBackend()).toBe('gpu');
    expect(backend().mode).toBe('gpu.js headlessgl');
    const y = tg.tensor([[1, 2], [3, 4]]).matmul(tg.tensor([[5], [6]]));
    expect(y.storage).toBeInstanceOf(GpuData);
    expect(y.toArray()).toEqual([[17], [39]]);
  });

  it('without a GL context (no display), says which modes failed, why, and what to install', () => {
    // A child process without DISPLAY cannot open a headless-gl context, built or not.
    const script =
      "const tg = await import('./src/index.ts');" +
      "try { tg.setBackend('gpu'); console.log(JSON.stringify({ ok: true })); }" +
      "catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, active: tg.getBackend() })); }";
    const env = { ...process.env };
    delete env.DISPLAY;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.name).toBe('GpuUnavailableError');
    expect(out.message).toMatch(/headlessgl: .*(xvfb-run|not built)/);
    expect(out.message).toMatch(/webgl2: /);
    expect(out.message).toMatch(/libgl1-mesa-dev/);
    expect(out.message).toMatch(/mode: 'cpu'/);
    // A failed switch leaves the previous backend active.
    expect(out.active).toBe('cpu');
  });

  it("runs gpu.js's cpu mode on request, through the public API", () => {
    tg.setBackend('gpu', { mode: 'cpu' });
    expect(tg.getBackend()).toBe('gpu');
    expect(backend().mode).toBe('gpu.js cpu');
    const x = tg.tensor([[1, -2, 3]]);
    expect(x.relu().add(1).mul(x).sum().item()).toBe(1 * 2 + -2 * 1 + 3 * 4);
  });

  it('rejects webgpu (asynchronous kernels) and unknown modes with clear errors', () => {
    expect(() => tg.setBackend('gpu', { mode: 'webgpu' })).toThrow(GpuUnavailableError);
    expect(() => tg.setBackend('gpu', { mode: 'webgpu' })).toThrow(/Promise/);
    expect(() => tg.setBackend('gpu', { mode: 'cuda' })).toThrow(RangeError);
    expect(() => tg.setBackend('gpu', { mode: 'cuda' })).toThrow(/headlessgl, webgl2, webgl, webasm, cpu, got cuda/);
    expect(() => tg.setBackend('gpu', { mode: 'webgl2' })).toThrow(/webgl2: WebGL2 is not available/);
  });

  it('tensors cross backends: gpu results read on the cpu, and data from another gpu instance is re-uploaded', () => {
    const a = createGpuBackend({ mode: 'cpu' });
    const b = createGpuBackend({ mode: 'cpu' });
    const x = a.upload(new Float32Array([1, 2, 3]));
    const fromA = runOn(b, 'x * s', x, 3, { s: 2 });
    expect(Array.from((fromA as GpuData).download())).toEqual([2, 4, 6]);
    // Any other backend's device data is downloaded, whatever it is.
    const foreign = { length: 2, backend: 'other', download: () => new Float32Array([5, -7]) };
    expect(Array.from((runOn(b, 'abs(x)', foreign, 2) as GpuData).download())).toEqual([5, 7]);
    tg.setBackend('gpu', { mode: 'cpu' });
    const t = tg.tensor([1, 2, 3]).mul(3);
    tg.setBackend('cpu');
    expect(Array.from(t.add(1).data)).toEqual([4, 7, 10]);
  });

  it('download hands out copies, and a disposed tensor says so instead of returning stale data', () => {
    const k = createGpuBackend({ mode: 'cpu' });
    const d = runOn(k, '-x', new Float32Array([1, 2]), 2) as GpuData;
    d.download()[0] = 99;
    expect(Array.from(d.download())).toEqual([-1, -2]);
    d.dispose();
    expect(() => d.download()).toThrow(/disposed/);
  });
});
