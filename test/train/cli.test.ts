import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/backend/cpu/index.ts';
import * as optim from '../../src/optim/index.ts';
import { zeros } from '../../src/tensor/creation.ts';
import { loadTensors } from '../../src/io/safetensors.ts';
import { OPTIMIZERS, UsageError, helpText, makeOptimizer, makeScheduler, parseTrainArgs } from '../../scripts/train-options.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const parse = (s: string) => parseTrainArgs(s.split(' ').filter(Boolean));

describe('train CLI options', () => {
  it('defaults to the README main job: MNIST CNN, Adam with cosine annealing, 3 epochs of batch 64, seed 0', () => {
    expect(parse('')).toMatchObject({ dataset: 'mnist', model: 'cnn', optimizer: 'adam', lr: undefined, scheduler: 'cosine', epochs: 3, batchSize: 64, seed: 0, augment: false, progress: true });
    expect(parse('--dataset cifar10')!.augment).toBe(true);
    expect(parse('--dataset cifar10 --no-augment')!.augment).toBe(false);
    expect(parse('--quick')).toMatchObject({ epochs: 1, trainSize: 2000, testSize: 1000 });
    expect(parse('--help')).toBeNull();
    expect(parse('-h')).toBeNull();
  });

  it('builds each optimizer with exactly the hyperparameters given', () => {
    const params = () => [zeros([2, 2])];
    const group = (args: string) => makeOptimizer(parse(args)!, params()).paramGroups[0] as unknown as Record<string, unknown>;
    expect(makeOptimizer(parse('--optimizer sgd')!, params())).toBeInstanceOf(optim.SGD);
    expect(group('--optimizer sgd --momentum 0.8 --nesterov --weight-decay 0.001')).toMatchObject({ lr: 0.01, momentum: 0.8, nesterov: true, weightDecay: 0.001 });
    expect(group('--optimizer momentum --lr 0.05 --variant ema')).toMatchObject({ lr: 0.05, momentum: 0.9, variant: 'ema' });
    expect(group('--optimizer adagrad --lr-decay 0.01 --initial-accumulator-value 0.1 --eps 1e-8')).toMatchObject({ lr: 0.01, lrDecay: 0.01, initialAccumulatorValue: 0.1, eps: 1e-8 });
    expect(group('--optimizer rmsprop --alpha 0.9 --centered --momentum 0.5')).toMatchObject({ alpha: 0.9, centered: true, momentum: 0.5 });
    expect(group('--optimizer adam --lr 0.002 --beta1 0.8 --beta2 0.99 --amsgrad')).toMatchObject({ lr: 0.002, betas: [0.8, 0.99], amsgrad: true });
    expect(group('--optimizer adam --beta2 0.95')).toMatchObject({ betas: [0.9, 0.95] });
    expect(group('--optimizer adamw')).toMatchObject({ lr: 0.001, weightDecay: 0.01 });
    expect(makeOptimizer(parse('--optimizer adamw')!, params())).toBeInstanceOf(optim.AdamW);
    for (const name of OPTIMIZERS) expect(helpText()).toContain(name);
  });

  it('builds the schedulers', () => {
    const c = parse('--scheduler step --step-size 2 --gamma 0.5')!;
    const opt = makeOptimizer(c, [zeros([1])]);
    const s = makeScheduler(c, opt, 10)!;
    s.step(); s.step();
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.0005, 12);
    expect(makeScheduler(parse('--scheduler cosine')!, opt, 10)).toBeInstanceOf(optim.CosineAnnealingLR);
    expect(makeScheduler(parse('--scheduler none')!, opt, 10)).toBeUndefined();
    // the default: cosine over --epochs, from --lr down to --eta-min
    const cos = parse('--epochs 4 --lr 0.002 --eta-min 0.0002')!;
    const opt2 = makeOptimizer(cos, [zeros([1])]);
    const lrs: number[] = [];
    const sched = makeScheduler(cos, opt2, 10)!;
    for (let e = 0; e < 4; e++) { lrs.push(opt2.paramGroups[0].lr); sched.step(); }
    lrs.push(opt2.paramGroups[0].lr);
    // closed form: eta_min + (lr − eta_min)(1 + cos(πe/4))/2
    lrs.forEach((lr, e) => expect(lr).toBeCloseTo(0.0002 + 0.0018 * (1 + Math.cos((Math.PI * e) / 4)) / 2, 12));
  });

  it('onecycle: stepped every batch, --lr is the peak, Adam\'s β₁ cycled against it; no momentum to cycle for plain SGD', () => {
    const c = parse('--scheduler onecycle --epochs 2 --lr 0.004')!;
    const opt = makeOptimizer(c, [zeros([1])]);
    const s = makeScheduler(c, opt, 10)!;
    expect(s).toBeInstanceOf(optim.OneCycleLR);
    expect((s as optim.OneCycleLR).interval).toBe('batch');
    // 20 steps, a quarter climbing: step 0 at 0.004/25 with β₁ 0.95, step 4 (= 0.25·20 − 1) at the peak with β₁ 0.85.
    const seen: [number, number][] = [];
    for (let t = 0; t < 20; t++) { seen.push([opt.paramGroups[0].lr, (opt.paramGroups[0] as unknown as { betas: [number, number] }).betas[0]]); s.step(); }
    expect(seen[0][0]).toBeCloseTo(0.004 / 25, 12);
    expect(seen[0][1]).toBeCloseTo(0.95, 12);
    expect(seen[4][0]).toBeCloseTo(0.004, 12);
    expect(seen[4][1]).toBeCloseTo(0.85, 12);
    expect(seen[19][0]).toBeCloseTo(0.004 / 25 / 1e4, 12);
    const sgd = makeOptimizer(parse('--optimizer sgd --scheduler onecycle')!, [zeros([1])]);
    expect(() => makeScheduler(parse('--optimizer sgd --scheduler onecycle')!, sgd, 5)).not.toThrow();
  });

  it('rejects mistakes with a message naming the flag', () => {
    const bad: [string, RegExp][] = [
      ['--optimizer adamx', /--optimizer must be one of sgd, momentum/],
      ['--optimizer adam --alpha 0.9', /--alpha does not apply to --optimizer adam/],
      ['--optimizer sgd --beta1 0.9', /--beta1 does not apply/],
      ['--lr=-1', /--lr must be a positive number/],
      ['--lr 0', /--lr must be a positive number/],
      ['--epochs 1.5', /--epochs must be a positive integer/],
      ['--batch-size abc', /--batch-size/],
      ['--model resnet', /--model must be one of/],
      ['--scheduler step', /needs --step-size/],
      ['--gamma 0.5', /--gamma applies to/],
      ['--frobnicate', /frobnicate/],
    ];
    for (const [args, msg] of bad) {
      expect(() => parse(args), args).toThrow(UsageError);
      expect(() => parse(args), args).toThrow(msg);
    }
  });
});

describe('npm run train', () => {
  it('trains, prints the test accuracy and writes model, checkpoint, history and curves', () => {
    const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--model', 'mlp', '--train-size', '600', '--test-size', '300', '--val-size', '100',
      '--epochs', '2', '--optimizer', 'sgd', '--momentum', '0.9', '--lr', '0.05', '--out-dir', tmp, '--name', 'run'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Test accuracy: \d+\.\d\d% \(loss \d\.\d{4}\) on 300 images/);
    expect(r.stdout).toMatch(/Epoch 2\/2 .*val_acc/);
    const dir = join(tmp, 'run');
    for (const f of ['model.safetensors', 'checkpoint.safetensors', 'history.json', 'loss.svg', 'accuracy.svg']) expect(existsSync(join(dir, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'));
    expect(summary.history.epochs.length).toBe(2);
    expect(summary.config.optimizer).toBe('sgd');
    expect(summary.test.samples).toBe(300);
    const printed = Number(/Test accuracy: (\d+\.\d\d)%/.exec(r.stdout)![1]);
    expect(printed).toBeCloseTo(summary.test.accuracy * 100, 2);
    expect(summary.test.accuracy).toBeGreaterThan(0.5);
    expect(Object.keys(loadTensors(join(dir, 'model.safetensors')).tensors).sort()).toEqual(['1.bias', '1.weight', '3.bias', '3.weight']);
    expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toMatch(/^<svg|^<\?xml/);
  });

  it('--resume continues a run so that it ends exactly like the uninterrupted one', () => {
    const run = (...args: string[]) => {
      const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--model', 'mlp', '--train-size', '500', '--test-size', '200',
        '--scheduler', 'none', '--out-dir', tmp, ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    run('--epochs', '2', '--name', 'whole');
    run('--epochs', '1', '--name', 'halves');
    expect(run('--epochs', '2', '--resume', join(tmp, 'halves', 'checkpoint.safetensors'))).toMatch(/resuming from/);
    const bytes = (name: string) => readFileSync(join(tmp, name, 'model.safetensors'));
    expect(bytes('halves').equals(bytes('whole'))).toBe(true);
    const losses = (name: string) => JSON.parse(readFileSync(join(tmp, name, 'history.json'), 'utf8')).history.epochs.map((e: { loss: number }) => e.loss);
    expect(losses('halves')).toEqual(losses('whole'));
    expect(losses('whole').length).toBe(2);
  });

  it('prints --help, and exits 2 with a pointer to it on a bad flag', () => {
    const help = spawnSync('npx', ['tsx', 'scripts/train.ts', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: npm run train');
    const bad = spawnSync('npx', ['tsx', 'scripts/train.ts', '--optimizer', 'adam', '--momentum', '0.9'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--momentum does not apply to --optimizer adam[\s\S]*--help/);
  });
});
