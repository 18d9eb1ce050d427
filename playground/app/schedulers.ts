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
  options(run: RunShape, opt: OptimizerLike): Record<string, unknown>;
}

const quarter = (run: RunShape): number => Math.max(1, Math.ceil(run.totalSteps / 4));

const TABLE: SchedulerEntry[] = [
  { name: 'StepLR', label: 'halve every quarter of the run', stepsOn: 'batch', options: (r) => ({ stepSize: quarter(r), gamma: 0.5 }) },
  {
    name: 'MultiStepLR', label: '×0.1 at 50 % and 75 % of the run', stepsOn: 'batch',
    options: (r) => ({ milestones: [Math.max(1, Math.round(r.totalSteps / 2)), Math.max(2, Math.round(r.totalSteps * 0.75))], gamma: 0.1 }),
  },
  { name: 'ExponentialLR', label: 'decay to 1/100 by the end', stepsOn: 'batch', options: (r) => ({ gamma: 0.01 ** (1 / Math.max(1, r.totalSteps)) }) },
  { name: 'CosineAnnealingLR', label: 'cosine down to 0 by the end', stepsOn: 'batch', options: (r) => ({ tMax: Math.max(1, r.totalSteps) }) },
  { name: 'CosineAnnealingWarmRestarts', label: 'cosine, restarting every quarter', stepsOn: 'batch', options: (r) => ({ t0: quarter(r) }) },
  { name: 'LinearLR', label: 'warm up from 10 % over the first tenth', stepsOn: 'batch', options: (r) => ({ startFactor: 0.1, totalIters: Math.max(1, Math.ceil(r.totalSteps / 10)) }) },
  {
    name: 'OneCycleLR', label: 'one cycle: up to lr, then far below', stepsOn: 'batch',
    options: (r, opt) => {
      const g = opt.paramGroups[0]!;
      const cycles = Array.isArray(g.betas) || (typeof g.momentum === 'number' && g.momentum > 0);
      return { maxLr: g.lr, totalSteps: Math.max(1, r.totalSteps), cycleMomentum: cycles };
    },
  },
  { name: 'ReduceLROnPlateau', label: 'halve when the test loss stalls', stepsOn: 'eval', options: () => ({ factor: 0.5, patience: 1 }) },
];

type SchedulerClass = new (opt: OptimizerLike, options: Record<string, unknown>) => SchedulerLike;

const classOf = (name: string): SchedulerClass | undefined => {
  const value = (tg.optim as Record<string, unknown>)[name];
  return typeof value === 'function' ? (value as SchedulerClass) : undefined;
};

/** The schedules this build of tsgrad has. */
export function listSchedulers(): SchedulerEntry[] {
  return TABLE.filter((s) => classOf(s.name) !== undefined);
}

export function findScheduler(name: string | null): SchedulerEntry | undefined {
  return listSchedulers().find((s) => s.name === name);
}

export function createScheduler(entry: SchedulerEntry, opt: OptimizerLike, run: RunShape): SchedulerLike {
  return new (classOf(entry.name)!)(opt, entry.options(run, opt));
}
