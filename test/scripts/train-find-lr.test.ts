import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/cpu/index.ts';
import * as optim from '../../src/optim/index.ts';
import { zeros } from '../../src/tensor/creation.ts';
import { UsageError, makeOptimizer, makeScheduler, parseTrainArgs } from '../../scripts/train-options.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-findlr-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const parse = (s: string) => parseTrainArgs(s.split(' ').filter(Boolean));
const group = (args: string) => makeOptimizer(parse(args)!, [zeros([2])]).paramGroups[0] as unknown as Record<string, unknown>;

describe('train CLI: the newer optimizers and schedulers', () => {
  it('builds each with exactly the hyperparameters given', () => {
    expect(makeOptimizer(parse('--optimizer adadelta')!, [zeros([1])])).toBeInstanceOf(optim.Adadelta);
    expect(group('--optimizer adadelta --rho 0.8 --eps 1e-5 --weight-decay 0.1')).toMatchObject({ lr: 1, rho: 0.8, eps: 1e-5, weightDecay: 0.1 });
    expect(group('--optimizer adamax --beta2 0.99')).toMatchObject({ lr: 0.002, betas: [0.9, 0.99] });
    expect(group('--optimizer nadam --momentum-decay 0.01 --decoupled-weight-decay --weight-decay 0.05')).toMatchObject({ momentumDecay: 0.01, decoupledWeightDecay: true, weightDecay: 0.05 });
    expect(group('--optimizer radam --lr 0.01')).toMatchObject({ lr: 0.01, decoupledWeightDecay: false });
    expect(group('--optimizer rprop --eta-plus 1.5 --max-step 1')).toMatchObject({ etas: [0.5, 1.5], stepSizes: [1e-6, 1] });
    expect(group('--optimizer lion --beta1 0.95')).toMatchObject({ lr: 1e-4, betas: [0.95, 0.99] });
    const c = parse('--scheduler multistep --milestones 1,3 --gamma 0.5 --lr 0.1 --optimizer sgd')!;
    const opt = makeOptimizer(c, [zeros([1])]);
    const s = makeScheduler(c, opt, 10)!;
    const lrs = [0, 1, 2, 3].map(() => { s.step(); return opt.paramGroups[0].lr; });
    expect(lrs).toEqual([0.05, 0.05, 0.025, 0.025]);
  });

  it('refuses flags that do not apply', () => {
    for (const [args, msg] of [
      ['--optimizer adam --rho 0.9', /--rho does not apply to --optimizer adam \(it applies to adadelta\)/],
      ['--optimizer rprop --weight-decay 0.1', /--weight-decay does not apply to --optimizer rprop/],
      ['--optimizer rprop --eta-minus 1.5', /--eta-minus must be in \(0, 1\)/],
      ['--scheduler multistep', /needs --milestones/],
      ['--milestones 2', /--milestones applies to --scheduler multistep/],
      ['--scheduler multistep --milestones 2,x', /--milestones must be a comma-separated list of positive integers/],
      ['--find-lr-steps 1', /--find-lr-steps must be an integer >= 2/],
    ] as const) {
      expect(() => parse(args), args).toThrow(UsageError);
      expect(() => parse(args), args).toThrow(msg);
    }
  });
});

describe('npm run train -- --find-lr', () => {
  it('runs the range test instead of training, writes the curve and prints the suggestion', () => {
    const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--model', 'mlp', '--optimizer', 'adam', '--train-size', '2000', '--find-lr', '--find-lr-steps', '60',
      '--out-dir', tmp, '--name', 'f'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const printed = /Suggested learning rate: ([0-9.e-]+)/.exec(r.stdout);
    expect(printed, r.stdout).not.toBeNull();
    const saved = JSON.parse(readFileSync(join(tmp, 'f', 'lr-finder.json'), 'utf8'));
    expect(Number(printed![1])).toBeCloseTo(Number(saved.suggestion.toPrecision(2)), 12);
    expect(saved.lrs.length).toBeGreaterThan(10);
    expect(saved.lrs.length).toBe(saved.losses.length);
    expect(readFileSync(join(tmp, 'f', 'lr-finder.svg'), 'utf8')).toMatch(/^<svg[\s\S]*suggestion/);
    expect(existsSync(join(tmp, 'f', 'model.safetensors'))).toBe(false); // nothing was trained
  });
});
