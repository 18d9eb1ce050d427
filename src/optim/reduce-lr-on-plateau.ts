/**
 * ReduceLROnPlateau: watch a metric (usually the validation loss) and cut the learning rate
 * by `factor` when it has not improved for more than `patience` epochs. Unlike the other
 * schedulers its `step` takes the metric, so it reacts to training rather than the calendar.
 */
import type { LrOptimizer } from './lr-scheduler.ts';
import { checkInteger, checkNonNegative, checkOneOf, checkThat, checkUnitInterval } from './validate.ts';

/** ReduceLROnPlateau's options, named and defaulted as in PyTorch (camelCase). */
export interface ReduceLROnPlateauOptions {
  /** 'min': lower is better (a loss); 'max': higher is better (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Multiply the learning rate by this on a plateau, in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement to tolerate; the cut comes on the next one. Default 10. */
  patience?: number;
  /** How much better than the best a metric must be to count as an improvement. Default 1e-4. */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a cut before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound on the learning rate: one for all groups, or one per group. Default 0. */
  minLr?: number | number[];
  /** Cuts smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/** ReduceLROnPlateau's progress as plain data. */
export interface ReduceLROnPlateauStateDict {
  /** Epochs stepped so far. */
  lastEpoch: number;
  /** The best metric so far. */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs: number;
  /** Epochs of cooldown left. */
  cooldownCounter: number;
  /** Each group's learning rate after the last step. */
  lastLr: number[];
}

/** Cuts the learning rate when a metric stops improving. */
export class ReduceLROnPlateau {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: LrOptimizer;
  /** 'min': lower is better; 'max': higher is better. */
  readonly mode: 'min' | 'max';
  /** Multiplier applied to the learning rate on a plateau. */
  readonly factor: number;
  /** Epochs without improvement tolerated before a cut. */
  readonly patience: number;
  /** How much better than the best a metric must be to count. */
  readonly threshold: number;
  /** Whether `threshold` is relative to the best or absolute. */
  readonly thresholdMode: 'rel' | 'abs';
  /** Epochs after a cut during which bad epochs are not counted. */
  readonly cooldown: number;
  /** Lower bound on each group's learning rate. */
  readonly minLrs: number[];
  /** Cuts smaller than this are skipped. */
  readonly eps: number;
  /** Epochs stepped so far. */
  lastEpoch = 0;
  /** The best metric seen so far (±Infinity before the first step). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  private lastLr: number[];

  constructor(optimizer: LrOptimizer, options: ReduceLROnPlateauOptions = {}) {
    const where = 'ReduceLROnPlateau';
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) throw new TypeError(`${where}: expected an optimizer with paramGroups`);
    const groups = optimizer.paramGroups.length;
    this.optimizer = optimizer;
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    const minLr = options.minLr ?? 0;
    checkOneOf(where, 'mode', this.mode, ['min', 'max']);
    checkUnitInterval(where, 'factor', this.factor);
    checkInteger(where, 'patience', this.patience, 0);
    checkNonNegative(where, 'threshold', this.threshold);
    checkOneOf(where, 'thresholdMode', this.thresholdMode, ['rel', 'abs']);
    checkInteger(where, 'cooldown', this.cooldown, 0);
    checkNonNegative(where, 'eps', this.eps);
    if (Array.isArray(minLr)) {
      checkThat(minLr.length === groups, where, `minLr must give one value per parameter group (${groups}), got ${minLr.length}`);
      minLr.forEach((v, i) => checkNonNegative(where, `minLr[${i}]`, v));
      this.minLrs = [...minLr];
    } else {
      checkNonNegative(where, 'minLr', minLr);
      this.minLrs = new Array<number>(groups).fill(minLr);
    }
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Whether `metric` beats the best so far by more than the threshold. */
  isBetter(metric: number, best: number): boolean {
    if (this.mode === 'min') {
      return this.thresholdMode === 'rel' ? metric < best * (1 - this.threshold) : metric < best - this.threshold;
    }
    return this.thresholdMode === 'rel' ? metric > best * (1 + this.threshold) : metric > best + this.threshold;
  }

  /** Records one epoch's metric and cuts the learning rates if it has plateaued. */
  step(metric: number): void {
    if (typeof metric !== 'number') throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${typeof metric}`);
    this.lastEpoch += 1;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const newLr = Math.max(group.lr * this.factor, this.minLrs[i] ?? 0);
        if (group.lr - newLr > this.eps) group.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates after the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's progress, to save with the optimizer's state. */
  stateDict(): ReduceLROnPlateauStateDict {
    const { lastEpoch, best, numBadEpochs, cooldownCounter } = this;
    return { lastEpoch, best, numBadEpochs, cooldownCounter, lastLr: [...this.lastLr] };
  }

  /** Restores progress saved by `stateDict()`; checked before anything changes. */
  loadStateDict(sd: ReduceLROnPlateauStateDict): void {
    const where = 'ReduceLROnPlateau.loadStateDict';
    if (typeof sd !== 'object' || sd === null) throw new TypeError(`${where}: expected the object stateDict() returns`);
    checkInteger(where, 'lastEpoch', sd.lastEpoch, 0);
    checkInteger(where, 'numBadEpochs', sd.numBadEpochs, 0);
    checkInteger(where, 'cooldownCounter', sd.cooldownCounter, 0);
    checkThat(typeof sd.best === 'number' && !Number.isNaN(sd.best), where, `best must be a number, got ${sd.best}`);
    const groups = this.optimizer.paramGroups.length;
    checkThat(Array.isArray(sd.lastLr) && sd.lastLr.length === groups, where, `lastLr must hold ${groups} numbers (one per group)`);
    this.lastEpoch = sd.lastEpoch;
    this.best = sd.best;
    this.numBadEpochs = sd.numBadEpochs;
    this.cooldownCounter = sd.cooldownCounter;
    this.lastLr = [...sd.lastLr];
  }
}
