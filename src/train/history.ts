/** The record fit() returns: one entry per epoch, plus the columns as arrays for plotting. */

/** What one epoch of training measured. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  /** Fraction of training samples classified correctly (NaN when the output is not [B, classes]). */
  accuracy: number;
  /** Validation loss, when fit() was given validation data. */
  valLoss?: number;
  /** Validation accuracy, when fit() was given validation data. */
  valAccuracy?: number;
  /** The metrics fit() was asked for, on the training batches (with a metrics option). */
  metrics?: Record<string, number>;
  /** The same metrics on the validation data. */
  valMetrics?: Record<string, number>;
  /** Learning rate of the first parameter group during the epoch, when the optimizer exposes it. */
  lr?: number;
  /** Seconds spent training (validation excluded). */
  seconds: number;
  /** Training samples per second. */
  samplesPerSecond: number;
}

/** Per-epoch metrics of a training run. */
export class History {
  /** One record per completed epoch, in order. */
  readonly epochs: EpochRecord[];
  /** Why training ended before `epochs` ran out (early stopping), if it did. */
  stopReason: string | null = null;

  /** Starts from `epochs` (a resumed run passes the records saved in its checkpoint). */
  constructor(epochs: EpochRecord[] = []) {
    this.epochs = epochs.map((e) => ({ ...e }));
  }

  /** Training loss per epoch. */
  get loss(): number[] {
    return this.epochs.map((e) => e.loss);
  }

  /** Training accuracy per epoch. */
  get accuracy(): number[] {
    return this.epochs.map((e) => e.accuracy);
  }

  /** Validation loss per epoch (empty without validation data). */
  get valLoss(): number[] {
    return this.epochs.flatMap((e) => (e.valLoss === undefined ? [] : [e.valLoss]));
  }

  /** Validation accuracy per epoch (empty without validation data). */
  get valAccuracy(): number[] {
    return this.epochs.flatMap((e) => (e.valAccuracy === undefined ? [] : [e.valAccuracy]));
  }

  /** A metric from fit()'s `metrics` option, per epoch, on the training batches. */
  metric(name: string): number[] {
    return this.epochs.flatMap((e) => (e.metrics?.[name] === undefined ? [] : [e.metrics[name]]));
  }

  /** A metric from fit()'s `metrics` option, per epoch, on the validation data (empty without it). */
  valMetric(name: string): number[] {
    return this.epochs.flatMap((e) => (e.valMetrics?.[name] === undefined ? [] : [e.valMetrics[name]]));
  }

  /** The last epoch's record, or undefined before the first epoch ends. */
  get last(): EpochRecord | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  /** Plain data for JSON.stringify. */
  toJSON(): {
    /** One record per completed epoch, in order. */
    epochs: EpochRecord[];
    /** Why training ended early, or null. */
    stopReason: string | null;
  } {
    return { epochs: this.epochs, stopReason: this.stopReason };
  }
}
