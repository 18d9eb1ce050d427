/**
 * CosineAnnealingWarmRestarts (Loshchilov & Hutter's SGDR): cosine annealing from the base
 * rate down to etaMin over a cycle of T_i epochs, then a jump back to the base rate — the
 * warm restart — and a new cycle T_mult times as long:
 * lr = etaMin + (baseLr − etaMin)·(1 + cos(π·T_cur/T_i))/2, with T_cur the epochs since the
 * last restart. Unlike PyTorch's, `step()` takes no fractional epoch (fit() passes it a
 * metric); to restart every N batches, step once per batch with t0 = N.
 */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkInteger, checkNonNegative, checkThat } from './validate.ts';

/** CosineAnnealingWarmRestarts' options (PyTorch's T_0, T_mult, eta_min). */
export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs in the first cycle (an integer ≥ 1). */
  t0: number;
  /** Each cycle is this many times longer than the one before (an integer ≥ 1). Default 1. */
  tMult?: number;
  /** The lowest learning rate. Default 0. */
  etaMin?: number;
}

/** Cosine annealing with warm restarts every t0, t0·tMult, t0·tMult², … epochs. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Epochs in the first cycle. */
  readonly t0: number;
  /** Growth factor of the cycle length. */
  readonly tMult: number;
  /** The lowest learning rate. */
  readonly etaMin: number;
  /** Length of the current cycle (PyTorch's T_i). */
  tI: number;
  /** Epochs since the last restart (PyTorch's T_cur). */
  tCur = 0;

  constructor(optimizer: LrOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    super('CosineAnnealingWarmRestarts', optimizer);
    const where = 'CosineAnnealingWarmRestarts';
    checkInteger(where, 't0', options?.t0, 1);
    const tMult = options.tMult ?? 1;
    const etaMin = options.etaMin ?? 0;
    checkInteger(where, 'tMult', tMult, 1);
    checkNonNegative(where, 'etaMin', etaMin);
    this.t0 = options.t0;
    this.tMult = tMult;
    this.etaMin = etaMin;
    this.tI = options.t0;
    this.initialStep();
  }

  private lrAt(baseLr: number, tCur: number, tI: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  }

  // Not chainable in PyTorch either: every rate comes from the base rate and the cycle position.
  protected override epochZeroLr(_lr: number, baseLr: number): number {
    return this.lrAt(baseLr, 0, this.t0);
  }

  override step(): void {
    let tCur = this.tCur + 1;
    let tI = this.tI;
    if (tCur >= tI) {
      tCur -= tI;
      tI *= this.tMult;
    }
    const rates = this.baseLrs.map((base) => this.lrAt(base, tCur, tI));
    this.lastEpoch += 1;
    this.setRates(rates);
    this.tCur = tCur;
    this.tI = tI;
  }

  protected override nextLr(_lr: number, baseLr: number): number {
    return this.lrAt(baseLr, this.tCur, this.tI);
  }

  override closedFormLr(baseLr: number, epoch: number): number {
    let tI = this.t0;
    let tCur = epoch;
    while (tCur >= tI) {
      tCur -= tI;
      tI *= this.tMult;
    }
    return this.lrAt(baseLr, tCur, tI);
  }

  protected override resetCycle(): void {
    this.tCur = 0;
    this.tI = this.t0;
  }

  protected override extraState(): Record<string, number> {
    return { tI: this.tI, tCur: this.tCur };
  }

  protected override checkExtraState(sd: Record<string, unknown>, where: string): void {
    const { tI, tCur } = sd;
    checkInteger(where, 'tI', tI, this.t0);
    let length = this.t0;
    while (length < (tI as number) && this.tMult > 1) length *= this.tMult;
    checkThat(length === tI, where, `tI must be a cycle length t0·tMult^k (t0 ${this.t0}, tMult ${this.tMult}), got ${tI}`);
    checkInteger(where, 'tCur', tCur, 0);
    checkThat((tCur as number) < (tI as number), where, `tCur must be less than tI ${tI}, got ${tCur}`);
  }

  protected override loadExtraState(sd: Record<string, unknown>): void {
    this.tI = sd.tI as number;
    this.tCur = sd.tCur as number;
  }
}
