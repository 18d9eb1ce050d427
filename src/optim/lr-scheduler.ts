/**
 * The learning-rate scheduler base. A scheduler rewrites `group.lr` of an optimizer's
 * parameter groups each time `step()` is called — usually once per epoch, after the
 * optimizer's own steps (OneCycleLR: once per batch). As in PyTorch, creating the scheduler
 * counts as epoch 0: most schedulers leave the rates as they are then, but LinearLR,
 * LambdaLR, OneCycleLR and CosineAnnealingWarmRestarts set their epoch-0 rate at once.
 *
 * Every scheduler starts from the same base rates: each group's rate before the first
 * scheduler was attached to it (PyTorch's `initial_lr`), so several schedulers on one
 * optimizer — and SequentialLR — agree on what "base" means.
 *
 * StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and LinearLR apply their schedules in
 * PyTorch's recursive ("chainable") form: each new rate is computed from the group's current
 * rate, so two schedulers on one optimizer compose and a rate changed by hand between steps
 * is respected. Without such changes the values equal their closed forms (`closedFormLr`).
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
  /** Each group's base learning rate (its rate before any scheduler). */
  baseLrs: number[];
  /** Each group's learning rate after the last step. */
  lastLr: number[];
}

/** Each group's learning rate before any scheduler touched it, keyed by the group object. */
const initialLrs = new WeakMap<object, number>();

function initialLrOf(group: { lr: number }): number {
  if (!initialLrs.has(group)) initialLrs.set(group, group.lr);
  return initialLrs.get(group)!;
}

/** The optimizer check every scheduler starts with. */
export function checkLrOptimizer(name: string, optimizer: LrOptimizer): void {
  if (!optimizer || !Array.isArray(optimizer.paramGroups)) {
    throw new TypeError(`${name}: expected an optimizer with paramGroups`);
  }
  optimizer.paramGroups.forEach((g, i) => {
    if (typeof g?.lr !== 'number' || !Number.isFinite(g.lr)) throw new RangeError(`${name}: group ${i} has learning rate ${g?.lr}; expected a finite number`);
  });
}

/** Base class of the epoch-count schedulers (everything but ReduceLROnPlateau and SequentialLR). */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: LrOptimizer;
  /** Each group's base learning rate: its rate before the first scheduler was attached. */
  baseLrs: number[];
  /** Epochs stepped so far (0 right after construction). */
  lastEpoch = 0;
  private lastLr: number[];
  /** The scheduler's name, for error messages. */
  protected readonly name: string;

  protected constructor(name: string, optimizer: LrOptimizer) {
    checkLrOptimizer(name, optimizer);
    this.name = name;
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map(initialLrOf);
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Each group's next learning rate, from its current one (`lastEpoch` is already advanced). */
  protected abstract nextLr(currentLr: number, baseLr: number, group: number): number;

  /** The learning rate at `epoch` of a schedule started afresh from `baseLr`. */
  abstract closedFormLr(baseLr: number, epoch: number, group: number): number;

  /**
   * The rate set at construction (epoch 0), from the group's current one. Most schedulers
   * leave it alone; those that change it call `initialStep()` at the end of their constructor.
   */
  protected epochZeroLr(currentLr: number, _baseLr: number, _group: number): number {
    return currentLr;
  }

  /** Sets the epoch-0 rates; for subclasses whose schedule starts somewhere other than the current rate. */
  protected initialStep(): void {
    this.setRates(this.optimizer.paramGroups.map((g, i) => this.epochZeroLr(g.lr, this.baseLrs[i] ?? g.lr, i)));
  }

  /** Advances one epoch and sets every group's learning rate for it. */
  step(): void {
    const previous = this.lastEpoch;
    this.checkCanStep(previous + 1);
    this.lastEpoch = previous + 1;
    try {
      this.setRates(this.optimizer.paramGroups.map((g, i) => this.nextLr(g.lr, this.baseLrs[i] ?? g.lr, i)));
    } catch (err) {
      this.lastEpoch = previous; // a schedule that cannot give this epoch's rates leaves everything as it was
      throw err;
    }
  }

  /** Throws if the schedule has no epoch `epoch` (OneCycleLR past its last step). */
  protected checkCanStep(_epoch: number): void {}

  /**
   * Goes back to epoch 0 and sets the rates the schedule starts with from the base rates:
   * what SequentialLR does to a scheduler when its milestone comes (PyTorch's `step(0)`).
   */
  restart(): void {
    this.lastEpoch = 0;
    this.resetCycle();
    this.setRates(this.optimizer.paramGroups.map((_, i) => this.closedFormLr(this.baseLrs[i], 0, i)));
  }

  /** Resets whatever progress a subclass keeps besides lastEpoch (CosineAnnealingWarmRestarts' cycle). */
  protected resetCycle(): void {}

  /** Sets the groups' rates after checking them all, so a bad value changes nothing. */
  protected setRates(rates: number[]): void {
    rates.forEach((lr, i) => {
      if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`${this.name}: the schedule gives group ${i} the learning rate ${lr} at epoch ${this.lastEpoch}`);
    });
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = rates[i]; });
    this.lastLr = rates;
  }

  /** The learning rates the last `step()` set (the initial ones before any step), one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's progress, to save with the optimizer's state. */
  stateDict(): LRSchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], ...this.extraState() };
  }

  /** Progress a subclass keeps besides lastEpoch, as plain numbers. */
  protected extraState(): Record<string, number> {
    return {};
  }

  /** Checks a subclass's extra state (throwing) before anything is restored. */
  protected checkExtraState(_sd: Record<string, unknown>, _where: string): void {}

  /** Restores a subclass's extra state, already checked. */
  protected loadExtraState(_sd: Record<string, unknown>): void {}

  /** Restores progress saved by `stateDict()`; checked before anything changes. */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const groups = this.optimizer.paramGroups.length;
    if (typeof sd !== 'object' || sd === null || !Number.isInteger(sd.lastEpoch) || sd.lastEpoch < 0) {
      throw new RangeError(`${where}: expected { lastEpoch, baseLrs, lastLr } with lastEpoch an integer ≥ 0, got lastEpoch ${sd?.lastEpoch}`);
    }
    for (const key of ['baseLrs', 'lastLr'] as const) {
      const v = sd[key];
      if (!Array.isArray(v) || v.length !== groups || v.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)) {
        throw new RangeError(`${where}: ${key} must hold ${groups} finite numbers ≥ 0 (one per group), got ${JSON.stringify(v)}`);
      }
    }
    this.checkExtraState(sd as unknown as Record<string, unknown>, where);
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
    this.loadExtraState(sd as unknown as Record<string, unknown>);
  }
}
