/**
 * OneCycleLR (Smith & Topin, 2018, "Super-convergence"): one cycle over the whole run,
 * stepped once per batch. The learning rate climbs from maxLr/divFactor to maxLr over the
 * first pctStart of the steps, then anneals to maxLr/(divFactor·finalDivFactor); momentum
 * (β₁ for Adam-like optimizers) moves the opposite way, maxMomentum → baseMomentum → maxMomentum.
 *
 *   phases (two):   [0, pctStart·T − 1]   lr: initial → max      momentum: max → base
 *                   [.., T − 1]            lr: max → min          momentum: base → max
 *   threePhase:     [0, pctStart·T − 1]   initial → max;  [.., 2·pctStart·T − 2]  max → initial;
 *                   [.., T − 1]  initial → min  (momentum: max → base → max → max)
 *   within a phase from step a to b, with p = (t − a)/(b − a):
 *     'cos':    end + (start − end)·(1 + cos(πp))/2        'linear':  start + (end − start)·p
 *
 * As in PyTorch, the schedule is computed from the step number (not chained), creating the
 * scheduler sets the initial rate (and maxMomentum), and stepping past T steps is an error.
 * Unlike PyTorch, the rate after the T-th step (which no batch uses) is the final rate, not an
 * extrapolation past it.
 */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkBoolean, checkInteger, checkNonNegative, checkOneOf, checkPositive, checkThat } from './validate.ts';

/** An optimizer whose momentum OneCycleLR can cycle: groups with `betas` (β₁ is cycled) or `momentum`. */
export interface MomentumOptimizer extends LrOptimizer {
  readonly paramGroups: ReadonlyArray<{
    /** The group's current learning rate. */
    lr: number;
    /** Adam-like optimizers: β₁ is cycled. */
    betas?: [number, number];
    /** SGD, Momentum, RMSprop: momentum is cycled. */
    momentum?: number;
  }>;
}

/** OneCycleLR's options, named and defaulted as in PyTorch (camelCase). */
export interface OneCycleLROptions {
  /** The peak learning rate: one for all groups or one per group. */
  maxLr: number | number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** With stepsPerEpoch, the cycle has epochs·stepsPerEpoch steps. */
  epochs?: number;
  /** Batches per epoch (with epochs). */
  stepsPerEpoch?: number;
  /** Fraction of the steps spent climbing, in [0, 1]. Default 0.3. */
  pctStart?: number;
  /** 'cos' or 'linear' interpolation within a phase. Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or β₁) inversely to the learning rate. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak learning rate: one value or one per group. Default 0.85. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end: one value or one per group. Default 0.95. */
  maxMomentum?: number | number[];
  /** initial lr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** final lr = initial lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases: climb, symmetric descent back to the initial rate, then annihilation to the final rate. Default false. */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  lr: ['initial' | 'max' | 'min', 'initial' | 'max' | 'min'];
  momentum: ['max' | 'base', 'max' | 'base'];
}

/** The one-cycle policy: warm up to maxLr, then anneal far below the start. */
export class OneCycleLR extends LRScheduler {
  /** fit() steps it after every batch: the cycle is counted in batches. */
  readonly interval = 'batch';
  /** Steps in the cycle. */
  readonly totalSteps: number;
  /** Fraction of the steps spent climbing. */
  readonly pctStart: number;
  /** Interpolation within a phase. */
  readonly annealStrategy: 'cos' | 'linear';
  /** Whether momentum (or β₁) is cycled. */
  readonly cycleMomentum: boolean;
  /** Per group: initial, peak and final learning rates. */
  private readonly lrs: { initial: number; max: number; min: number }[];
  /** Per group: momentum at the peak (base) and at the ends (max). */
  private readonly momenta: { base: number; max: number }[];
  private readonly phases: Phase[];
  private readonly useBeta1: boolean;

  constructor(optimizer: MomentumOptimizer, options: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const where = 'OneCycleLR';
    const o = options ?? ({} as OneCycleLROptions);
    const groups = optimizer.paramGroups.length;
    const perGroup = (name: string, v: unknown, check: (where: string, name: string, x: unknown) => void): number[] => {
      if (Array.isArray(v)) {
        checkThat(v.length === groups, where, `${name} must be one number or one per parameter group (${groups}), got ${v.length}`);
        v.forEach((x, i) => check(where, `${name}[${i}]`, x));
        return [...v];
      }
      check(where, name, v);
      return new Array<number>(groups).fill(v as number);
    };
    const maxLrs = perGroup('maxLr', o.maxLr, checkPositive);
    let totalSteps: number;
    if (o.totalSteps !== undefined) {
      checkInteger(where, 'totalSteps', o.totalSteps, 1);
      totalSteps = o.totalSteps;
    } else {
      checkThat(o.epochs !== undefined && o.stepsPerEpoch !== undefined, where, 'needs totalSteps, or epochs and stepsPerEpoch');
      checkInteger(where, 'epochs', o.epochs, 1);
      checkInteger(where, 'stepsPerEpoch', o.stepsPerEpoch, 1);
      totalSteps = o.epochs! * o.stepsPerEpoch!;
    }
    const pctStart = o.pctStart ?? 0.3;
    checkThat(typeof pctStart === 'number' && pctStart >= 0 && pctStart <= 1, where, `pctStart must be in [0, 1], got ${pctStart}`);
    const annealStrategy = o.annealStrategy ?? 'cos';
    checkOneOf(where, 'annealStrategy', annealStrategy, ['cos', 'linear']);
    const cycleMomentum = o.cycleMomentum ?? true;
    checkBoolean(where, 'cycleMomentum', cycleMomentum);
    const divFactor = o.divFactor ?? 25;
    const finalDivFactor = o.finalDivFactor ?? 1e4;
    checkPositive(where, 'divFactor', divFactor);
    checkPositive(where, 'finalDivFactor', finalDivFactor);
    const threePhase = o.threePhase ?? false;
    checkBoolean(where, 'threePhase', threePhase);
    const base = perGroup('baseMomentum', o.baseMomentum ?? 0.85, checkNonNegative);
    const max = perGroup('maxMomentum', o.maxMomentum ?? 0.95, checkNonNegative);

    const up = pctStart * totalSteps - 1;
    const phases: Phase[] = threePhase
      ? [
          { endStep: up, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { endStep: 2 * pctStart * totalSteps - 2, lr: ['max', 'initial'], momentum: ['base', 'max'] },
          { endStep: totalSteps - 1, lr: ['initial', 'min'], momentum: ['max', 'max'] },
        ]
      : [
          { endStep: up, lr: ['initial', 'max'], momentum: ['max', 'base'] },
          { endStep: totalSteps - 1, lr: ['max', 'min'], momentum: ['base', 'max'] },
        ];
    // A phase of length ≤ 0 would divide by zero (PyTorch returns NaN rates there).
    let start = 0;
    phases.forEach((ph, i) => {
      checkThat(ph.endStep > start, where,
        `pctStart ${pctStart} with ${totalSteps} total steps leaves phase ${i + 1} of ${phases.length} with no steps; use more steps or another pctStart`);
      start = ph.endStep;
    });

    let useBeta1 = false;
    if (cycleMomentum) {
      const g0 = optimizer.paramGroups[0];
      useBeta1 = Array.isArray(g0.betas);
      checkThat(useBeta1 || typeof g0.momentum === 'number', where,
        'cycleMomentum needs an optimizer with momentum or betas (SGD, Momentum, RMSprop, Adam, …); pass cycleMomentum: false for this one');
    }

    this.totalSteps = totalSteps;
    this.pctStart = pctStart;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.lrs = maxLrs.map((m) => ({ initial: m / divFactor, max: m, min: m / divFactor / finalDivFactor }));
    this.momenta = base.map((b, i) => ({ base: b, max: max[i] }));
    this.phases = phases;
    this.useBeta1 = useBeta1;
    // PyTorch's base rate for this schedule is maxLr/divFactor, not the optimizer's lr.
    this.baseLrs = this.lrs.map((l) => l.initial);
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    return this.annealStrategy === 'cos' ? end + ((start - end) * (1 + Math.cos(Math.PI * pct))) / 2 : start + (end - start) * pct;
  }

  /** The learning rate and momentum of a group at step t. */
  private at(t: number, group: number): { lr: number; momentum: number } {
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const ph = this.phases[i];
      if (t <= ph.endStep || i === this.phases.length - 1) {
        // Step T itself (after the last batch) lies past the last phase's end; PyTorch
        // extrapolates there, to a negative rate with 'linear'. Stop at the final rate instead.
        const pct = Math.min((t - start) / (ph.endStep - start), 1);
        const lrs = this.lrs[group], mom = this.momenta[group];
        return {
          lr: this.anneal(lrs[ph.lr[0]], lrs[ph.lr[1]], pct),
          momentum: this.anneal(mom[ph.momentum[0]], mom[ph.momentum[1]], pct),
        };
      }
      start = ph.endStep;
    }
    throw new Error('OneCycleLR: unreachable: the last phase takes every step');
  }

  protected override checkCanStep(epoch: number): void {
    if (epoch > this.totalSteps) {
      throw new RangeError(`OneCycleLR: stepped ${epoch} times, but the cycle has totalSteps ${this.totalSteps} (step once per batch, and size the cycle for the whole run)`);
    }
  }

  protected override epochZeroLr(_lr: number, _baseLr: number, group: number): number {
    return this.closedFormLr(0, 0, group);
  }

  protected override nextLr(_lr: number, _baseLr: number, group: number): number {
    return this.closedFormLr(0, this.lastEpoch, group);
  }

  /** The schedule's rate at `epoch` (a step number here); it depends on maxLr, not on a base rate. */
  override closedFormLr(_baseLr: number, epoch: number, group: number): number {
    return this.at(epoch, group).lr;
  }

  /** Sets momentum (or β₁) alongside the learning rates. */
  protected override setRates(rates: number[]): void {
    super.setRates(rates);
    if (!this.cycleMomentum) return;
    (this.optimizer as MomentumOptimizer).paramGroups.forEach((g, i) => {
      const m = this.at(this.lastEpoch, i).momentum;
      if (this.useBeta1) g.betas = [m, g.betas![1]];
      else g.momentum = m;
    });
  }
}
