import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIMIZERS, compareHelp, parseCompareArgs, runComparison, type CompareConfig } from '../../scripts/compare-optimizers.ts';
import { UsageError } from '../../scripts/train-options.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const parse = (s: string) => parseCompareArgs(s.split(' ').filter(Boolean));

describe('compare-optimizers options', () => {
  it('defaults, --quick, per-optimizer learning rates', () => {
    expect(parse('')).toMatchObject({ dataset: 'mnist', model: 'mlp', epochs: 3, batchSize: 64, seed: 0, findLrSteps: 100, outDir: join('runs', 'compare-mnist-mlp') });
    expect(parse('')!.runs).toEqual(DEFAULT_OPTIMIZERS.map((optimizer) => ({ optimizer, lr: 'default' })));
    expect(parse('--quick')).toMatchObject({ epochs: 2, trainSize: 2000, testSize: 1000, runs: [{ optimizer: 'sgd', lr: 'default' }, { optimizer: 'adam', lr: 'default' }] });
    expect(parse('--optimizers adam:0.003,sgd,lion --lr auto')!.runs).toEqual([{ optimizer: 'adam', lr: 0.003 }, { optimizer: 'sgd', lr: 'auto' }, { optimizer: 'lion', lr: 'auto' }]);
    expect(parse('--optimizers rprop --lr 0.5')!.runs).toEqual([{ optimizer: 'rprop', lr: 0.5 }]);
    expect(parse('--help')).toBeNull();
    expect(compareHelp()).toContain('--lr auto|default|X');
  });

  it('refuses mistakes with a message naming the flag', () => {
    const bad: [string, RegExp][] = [
      ['--optimizers adam,bogus', /--optimizers: 'bogus' is not NAME or NAME:LR/],
      ['--optimizers adam,adam', /--optimizers lists adam twice/],
      ['--optimizers adam:fast', /--optimizers adam:LR must be auto, default or a positive number, got "fast"/],
      ['--lr=-1', /--lr must be auto, default or a positive number/],
      ['--epochs 0', /--epochs must be an integer >= 1, got "0"/],
      ['--dataset svhn', /--dataset must be one of mnist, cifar10/],
      ['--model resnet', /--model must be one of/],
      ['--colour', /colour/],
    ];
    for (const [args, msg] of bad) {
      expect(() => parse(args), args).toThrow(UsageError);
      expect(() => parse(args), args).toThrow(msg);
    }
  });
});

describe('npm run compare-optimizers', () => {
  const config = (outDir: string): CompareConfig => ({
    ...parse('--optimizers sgd:0.1,adam,lion --lr auto --find-lr-steps 30 --epochs 2 --train-size 512 --test-size 256 --batch-size 32 --seed 3 --no-progress')!,
    outDir,
  });
  const quiet = () => {};

  it('writes the report: table, charts, results.json; the lr comes from where it was asked', () => {
    const dir = join(tmp, 'a');
    const runs = runComparison(config(dir), quiet);
    for (const f of ['report.md', 'results.json', 'loss.svg', 'accuracy.svg', 'loss-time.svg', 'accuracy-time.svg', 'lr-finder.svg']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    for (const f of ['loss.svg', 'accuracy.svg', 'lr-finder.svg']) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<svg/);
    expect(runs.map((r) => [r.optimizer, r.lrSource])).toEqual([['sgd', 'given'], ['adam', 'auto'], ['lion', 'auto']]);
    expect(runs[0].lr).toBe(0.1);
    expect(runs[1].lr).toBe(runs[1].findLr!.suggestion);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    for (const r of runs) {
      const last = r.epochs[r.epochs.length - 1];
      expect(report).toContain(`| ${r.optimizer} | ${r.lr.toPrecision(2)} (${r.lrSource === 'auto' ? 'findLr' : r.lrSource}) | ${(last.testAccuracy * 100).toFixed(2)}% |`);
      expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
      expect(r.batchLosses).toHaveLength(2 * 16);
      expect(last.testAccuracy).toBeGreaterThan(0.5);
    }
    // The same start for everyone: the accuracy before training is the same for every run.
    expect(new Set(runs.map((r) => r.epochs[0].testAccuracy)).size).toBe(1);
  });

  it('is reproducible: the same seed gives the same numbers, apart from the times', () => {
    const strip = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'), (k, v) => (k === 'seconds' || k === 'batchSeconds' || k === 'outDir' ? undefined : v));
    runComparison(config(join(tmp, 'b')), quiet);
    const again = join(tmp, 'c');
    runComparison(config(again), quiet);
    expect(strip(again)).toEqual(strip(join(tmp, 'b')));
    const other = join(tmp, 'd');
    runComparison({ ...config(other), seed: 4 }, quiet);
    expect(strip(other).runs[1].batchLosses).not.toEqual(strip(again).runs[1].batchLosses);
  });

  it('an optimizer that diverges is reported as such and the others still run', () => {
    const dir = join(tmp, 'e');
    const runs = runComparison({ ...config(dir), runs: [{ optimizer: 'sgd', lr: 1e6 }, { optimizer: 'adam', lr: 'default' }] }, quiet);
    expect(runs[0].diverged).toMatch(/loss/);
    expect(runs[1].diverged).toBeUndefined();
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/\| sgd \| 1\.0e\+6 \(given\) \| diverged \|/);
  });
});
