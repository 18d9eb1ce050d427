/**
 * SequentialLR: run several schedulers one after another, switching at milestone epochs —
 * e.g. a LinearLR warm-up for 5 epochs, then CosineAnnealingLR. As in PyTorch: creating it
 * puts the rates back to their base values and restarts the first scheduler; at each
 * milestone the next scheduler restarts from epoch 0 (from the base rates, not from where
 * the previous one left off); in between, only the current scheduler is stepped.
 */
import { LRScheduler, checkLrOptimizer, type LrOptimizer, type LRSchedulerStateDict } from './lr-scheduler.ts';
import { checkInteger, checkThat } from './validate.ts';

/** SequentialLR's options. */
export interface SequentialLROptions {
  /** The schedulers, in the order they run; all on the same optimizer. */
  schedulers: LRScheduler[];
  /** The epochs at which to switch to the next scheduler: one fewer than the schedulers, increasing. */
  milestones: number[];
}

/** SequentialLR's progress: its own epoch count and each scheduler's state. */
export interface SequentialLRStateDict {
  /** Epochs stepped since creation. */
  lastEpoch: number;
  /** The rates after the last step, one per group. */
  lastLr: number[];
  /** Each scheduler's `stateDict()`, in order. */
  schedulers: LRSchedulerStateDict[];
}

/** Schedulers run in sequence, switching at milestones. */
export class SequentialLR {
  /** The optimizer whose learning rates the schedulers set. */
  readonly optimizer: LrOptimizer;
  /** The schedulers, in order. */
  readonly schedulers: readonly LRScheduler[];
  /** The switching epochs. */
  readonly milestones: readonly number[];
  /** Epochs stepped so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: LrOptimizer, options: SequentialLROptions) {
    const where = 'SequentialLR';
    checkLrOptimizer(where, optimizer);
    const { schedulers, milestones } = options ?? ({} as SequentialLROptions);
    checkThat(Array.isArray(schedulers) && schedulers.length >= 1, where, 'schedulers must be a non-empty array');
    schedulers.forEach((s: unknown, i) => {
      if (!(s instanceof LRScheduler)) {
        const kind = typeof s === 'object' && s !== null ? s.constructor.name : typeof s;
        throw new TypeError(`${where}: schedulers[${i}] is a ${kind}, not an epoch scheduler (ReduceLROnPlateau and SequentialLR cannot be nested)`);
      }
      checkThat(s.optimizer === optimizer, where, `schedulers[${i}] belongs to another optimizer; all must be on the one given`);
    });
    checkThat(Array.isArray(milestones) && milestones.length === schedulers.length - 1, where,
      `needs ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers, got ${JSON.stringify(milestones)}`);
    milestones.forEach((m, i) => {
      checkInteger(where, `milestones[${i}]`, m, 1);
      checkThat(i === 0 || m > milestones[i - 1], where, `milestones must increase, got ${JSON.stringify(milestones)}`);
    });
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = Object.freeze([...milestones]);
    // Undo what the schedulers' constructors did to the rates, then start the first one.
    optimizer.paramGroups.forEach((g, i) => { g.lr = schedulers[0].baseLrs[i]; });
    schedulers[0].restart();
    this.lastLr = schedulers[0].getLastLr();
  }

  /** Advances one epoch: restarts the next scheduler at a milestone, else steps the current one. */
  step(): void {
    const epoch = this.lastEpoch + 1;
    const index = this.milestones.filter((m) => m <= epoch).length;
    const scheduler = this.schedulers[index];
    if (index > 0 && this.milestones[index - 1] === epoch) scheduler.restart();
    else scheduler.step();
    this.lastEpoch = epoch;
    this.lastLr = scheduler.getLastLr();
  }

  /** The learning rates after the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Its own progress and every scheduler's (the schedulers' functions, as LambdaLR's, are not saved). */
  stateDict(): SequentialLRStateDict {
    return { lastEpoch: this.lastEpoch, lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** Restores `stateDict()`; if any part does not fit, every scheduler is left as it was. */
  loadStateDict(sd: SequentialLRStateDict): void {
    const where = 'SequentialLR.loadStateDict';
    if (typeof sd !== 'object' || sd === null) throw new TypeError(`${where}: expected the object stateDict() returns`);
    checkInteger(where, 'lastEpoch', sd.lastEpoch, 0);
    const groups = this.optimizer.paramGroups.length;
    checkThat(Array.isArray(sd.lastLr) && sd.lastLr.length === groups && sd.lastLr.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0), where,
      `lastLr must hold ${groups} finite numbers ≥ 0 (one per group)`);
    checkThat(Array.isArray(sd.schedulers) && sd.schedulers.length === this.schedulers.length, where,
      `expected the states of ${this.schedulers.length} schedulers, got ${Array.isArray(sd.schedulers) ? sd.schedulers.length : typeof sd.schedulers}`);
    const before = this.schedulers.map((s) => s.stateDict());
    try {
      this.schedulers.forEach((s, i) => s.loadStateDict(sd.schedulers[i]));
    } catch (err) {
      // A scheduler's own state always loads back, so this cannot fail in turn.
      this.schedulers.forEach((s, i) => s.loadStateDict(before[i]));
      throw err;
    }
    this.lastEpoch = sd.lastEpoch;
    this.lastLr = [...sd.lastLr];
  }
}
