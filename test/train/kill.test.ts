/**
 * SIGKILL during training with ModelCheckpoint, at points spread over the run — mid-epoch, mid-save,
 * after early stopping has ended the run — the checkpoint path holds either nothing or a
 * complete checkpoint, and resuming from it ends bit-identical to the run never killed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fit } from '../../src/train/fit.ts';
import { loadCheckpoint } from '../../src/train/checkpoint.ts';
import { makeRun } from './kill-run.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-kill-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bits = (r: ReturnType<typeof makeRun>) => r.model.parameters().map((p) => Array.from(new Uint32Array(p.data.buffer, p.data.byteOffset, p.size)));
const metrics = (h: ReturnType<typeof fit>) => ({
  epochs: h.epochs.map(({ epoch, loss, accuracy, valLoss, valAccuracy, lr }) => ({ epoch, loss, accuracy, valLoss, valAccuracy, lr })),
  stopReason: h.stopReason,
});

/** Runs kill-run.ts and SIGKILLs it `delayMs` after it reports epoch `afterEpoch` (or lets it finish). */
function killedRun(checkpoint: string, afterEpoch: number, delayMs: number): Promise<{ lastEpoch: number; finished: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'kill-run.ts'), checkpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', lastEpoch = 0, finished = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const m of out.matchAll(/epoch (\d+)\n/g)) lastEpoch = Math.max(lastEpoch, Number(m[1]));
      if (out.includes('done\n')) finished = true;
      if (lastEpoch >= afterEpoch && !child.killed) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`kill-run.ts failed (${code}): ${err}`));
      else resolve({ lastEpoch, finished });
    });
  });
}

describe('SIGKILL during a run with ModelCheckpoint', () => {
  const reference = makeRun(0, join(tmp, 'reference.safetensors'));
  const whole = fit(reference.model, reference.loader, reference.options);

  it('the uninterrupted reference ends by early stopping', () => {
    expect(whole.stopReason).toMatch(/early stopping/);
  });

  // kill points: after epoch k, then a delay that lands in training, in the save, or after the end
  const points: [number, number][] = [[1, 0], [2, 37], [3, 90], [5, 13], [whole.epochs.length, 0], [whole.epochs.length, 400]];
  for (const [afterEpoch, delayMs] of points) {
    it(`killed ${delayMs} ms after epoch ${afterEpoch}: the file is whole, and resuming ends bit-identical`, async () => {
      const path = join(tmp, `kill-${afterEpoch}-${delayMs}.safetensors`);
      const { lastEpoch } = await killedRun(path, afterEpoch, delayMs);
      expect(lastEpoch).toBeGreaterThanOrEqual(afterEpoch);
      // every epoch reported was saved first; a kill mid-save leaves the previous file
      expect(existsSync(path)).toBe(true);
      const saved = loadCheckpoint(path).epoch;
      expect(saved).toBeGreaterThanOrEqual(lastEpoch);
      const resumed = makeRun(12345, path);
      const history = fit(resumed.model, resumed.loader, { ...resumed.options, resumeFrom: path });
      expect(metrics(history)).toEqual(metrics(whole));
      expect(bits(resumed)).toEqual(bits(reference));
    });
  }
});
