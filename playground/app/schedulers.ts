/**
 * Learning-rate schedules for a training run. Unlike optimizers, schedulers cannot be found
 * and offered blindly: each needs options that only make sense relative to the run (how
 * many steps it has). So this is a table of the ones the page knows how to size; an entry
 * appears only when `tg.optim` exports its class. All of them step once per batch, except
 * ReduceLROnPlateau, which is fed the test loss at each evaluation.
 */
import * as tg from 'tsgrad';
import type { OptimizerLike } from './optimizers.ts';

export interface SchedulerLike {
  step(metric?: number): void;
}

export interface RunShape {
  /** Optimizer steps in the whole run. */
  totalSteps: number;
}

export interface SchedulerEntry {
  name: string;
  label: string;
  /** 'batch': after every optimizer step; 'eval': after each test evaluation, with the test loss. */
  stepsOn: 'batch' | 'eval';
  /** Builds the scheduler for this run; throws (changing nothing the run keeps) on a bad configuration. */
  create(opt: OptimizerLike, run: RunShape): SchedulerLike;
}

type SchedulerClass = new (opt: OptimizerLike, options: Record<string, unknown>) => SchedulerLike;

const classOf = (name: string): SchedulerClass | undefined => {
  const value = (tg.optim as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as SchedulerClass) : undefined;
};

const quarter = (run: RunShape): number => Math.max(1, Math.ceil(run.totalSteps / 4));
const tenth = (run: RunShape): number => Math.max(1, Math.ceil(run.totalSteps / 10));

/** An entry whose class takes one options object sized from the run. */
const simple = (
  name: string, label: string, stepsOn: 'batch' | 'eval',
  options: (run: RunShape, opt: OptimizerLike) => Record<string, unknown>,
): SchedulerEntry => ({ name, label, stepsOn, create: (opt, run) => new (classOf(name)!)(opt, options(run, opt)) });

const TABLE: SchedulerEntry[] = [
  simple('StepLR', 'halve every quarter of the run', 'batch', (r) => ({ stepSize: quarter(r), gamma: 0.5 })),
  simple('MultiStepLR', '×0.1 at 50 % and 75 % of the run', 'batch',
    (r) => ({ milestones: [Math.max(1, Math.round(r.totalSteps / 2)), Math.max(2, Math.round(r.totalSteps * 0.75))], gamma: 0.1 })),
  simple('ExponentialLR', 'decay to 1/100 by the end', 'batch', (r) => ({ gamma: 0.01 ** (1 / Math.max(1, r.totalSteps)) })),
  simple('CosineAnnealingLR', 'cosine down to 0 by the end', 'batch', (r) => ({ tMax: Math.max(1, r.totalSteps) })),
  simple('CosineAnnealingWarmRestarts', 'cosine, restarting every quarter', 'batch', (r) => ({ t0: quarter(r) })),
  simple('LinearLR', 'warm up from 10 % over the first tenth', 'batch', (r) => ({ startFactor: 0.1, totalIters: tenth(r) })),
  simple('OneCycleLR', 'one cycle: up to lr, then far below', 'batch', (r, opt) => {
    const g = opt.paramGroups[0]!;
    const cycles = Array.isArray(g.betas) || (typeof g.momentum === 'number' && g.momentum > 0);
    return { maxLr: g.lr, totalSteps: Math.max(1, r.totalSteps), cycleMomentum: cycles };
  }),
  // λ is a function, which a URL cannot carry: the page offers one, hyperbolic decay.
  simple('LambdaLR', 'λ(t) = 1 / (1 + 9t/T): to a tenth by the end', 'batch',
    (r) => ({ lrLambda: (t: number) => 1 / (1 + (9 * t) / Math.max(1, r.totalSteps)) })),
  {
    name: 'SequentialLR', label: 'LinearLR warm-up for a tenth, then CosineAnnealingLR', stepsOn: 'batch',
    create: (opt, run) => {
      const warm = Math.min(tenth(run), Math.max(1, run.totalSteps - 1));
      const schedulers = [
        new (classOf('LinearLR')!)(opt, { startFactor: 0.1, totalIters: warm }),
        new (classOf('CosineAnnealingLR')!)(opt, { tMax: Math.max(1, run.totalSteps - warm) }),
      ];
      return new (classOf('SequentialLR')!)(opt, { schedulers, milestones: [warm] });
    },
  },
  simple('ReduceLROnPlateau', 'halve when the test loss stalls', 'eval', () => ({ factor: 0.5, patience: 1 })),
];

/** The schedules this build of tsgrad has (SequentialLR's also needs its two parts). */
const NEEDS: Record<string, string[]> = { SequentialLR: ['SequentialLR', 'LinearLR', 'CosineAnnealingLR'] };

export function listSchedulers(): SchedulerEntry[] {
  return TABLE.filter((s) => (NEEDS[s.name] ?? [s.name]).every((n) => classOf(n) !== undefined));
}

export function findScheduler(name: string | null): SchedulerEntry | undefined {
  return listSchedulers().find((s) => s.name === name);
}

export function createScheduler(entry: SchedulerEntry, opt: OptimizerLike, run: RunShape): SchedulerLike {
  return entry.create(opt, run);
}
