/**
 * The learning-rate scheduler base. A scheduler rewrites `group.lr` of an optimizer's
 * parameter groups each time `step()` is called — usually once per epoch, after the
 * optimizer's own steps. As in PyTorch, creating the scheduler counts as epoch 0 and leaves
 * the learning rates as they were; each `step()` then advances one epoch.
 *
 * The schedules are applied in PyTorch's recursive ("chainable") form: each new rate is
 * computed from the group's current rate, so two schedulers on one optimizer compose and a
 * rate changed by hand between steps is respected. Without such changes the values equal
 * the closed forms given in each scheduler's documentation.
 */

/** What a scheduler needs of an optimizer: parameter groups with a learning rate. */
export interface LrOptimizer {
  /** The groups whose learning rates the scheduler sets. */
  readonly paramGroups: ReadonlyArray<{
    /** The group's current learning rate. */
    lr: number;
  }>;
}

/** A scheduler's progress as plain data. */
export interface LRSchedulerStateDict {
  /** Epochs stepped since the scheduler was created. */
  lastEpoch: number;
  /** Each group's learning rate when the scheduler was created. */
  baseLrs: number[];
  /** Each group's learning rate after the last step. */
  lastLr: number[];
}

/** Base class of StepLR, ExponentialLR and CosineAnnealingLR. */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: LrOptimizer;
  /** Each group's learning rate when the scheduler was created. */
  baseLrs: number[];
  /** Epochs stepped so far (0 right after construction). */
  lastEpoch = 0;
  private lastLr: number[];
  private readonly name: string;

  protected constructor(name: string, optimizer: LrOptimizer) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) {
      throw new TypeError(`${name}: expected an optimizer with paramGroups`);
    }
    this.name = name;
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.lastLr = [...this.baseLrs];
  }

  /** Each group's next learning rate, from its current one (`lastEpoch` is already advanced). */
  protected abstract nextLr(currentLr: number, baseLr: number): number;

  /** Advances one epoch and sets every group's learning rate for it. */
  step(): void {
    this.lastEpoch += 1;
    this.lastLr = this.optimizer.paramGroups.map((group, i) => {
      group.lr = this.nextLr(group.lr, this.baseLrs[i] ?? group.lr);
      return group.lr;
    });
  }

  /** The learning rates the last `step()` set (the initial ones before any step), one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's progress, to save with the optimizer's state. */
  stateDict(): LRSchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restores progress saved by `stateDict()`; checked before anything changes. */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const groups = this.optimizer.paramGroups.length;
    if (typeof sd !== 'object' || sd === null || !Number.isInteger(sd.lastEpoch) || sd.lastEpoch < 0) {
      throw new RangeError(`${where}: expected { lastEpoch, baseLrs, lastLr } with lastEpoch an integer ≥ 0, got lastEpoch ${sd?.lastEpoch}`);
    }
    for (const key of ['baseLrs', 'lastLr'] as const) {
      const v = sd[key];
      if (!Array.isArray(v) || v.length !== groups || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw new RangeError(`${where}: ${key} must hold ${groups} finite numbers (one per group), got ${JSON.stringify(v)}`);
      }
    }
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
  }
}
