/**
 * LambdaLR: lr(t) = baseLr · λ(t) for a function λ of the epoch you supply (one for all
 * groups, or one per group). λ(0) applies from construction on, as in PyTorch. The state
 * dict holds the epoch but not the function: rebuild the scheduler with the same λ, then load.
 */
import { LRScheduler, type LrOptimizer } from './lr-scheduler.ts';
import { checkThat } from './validate.ts';

/** A learning-rate multiplier as a function of the epoch (0, 1, 2, …). */
export type LrLambda = (epoch: number) => number;

/** LambdaLR's options. */
export interface LambdaLROptions {
  /** The multiplier: one function for every group, or an array with one per group. */
  lrLambda: LrLambda | LrLambda[];
}

/** Learning rate = base rate × a function of the epoch. */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: LrLambda[];

  constructor(optimizer: LrOptimizer, options: LambdaLROptions) {
    super('LambdaLR', optimizer);
    const groups = optimizer.paramGroups.length;
    const f: unknown = options?.lrLambda;
    if (Array.isArray(f)) {
      checkThat(f.length === groups, 'LambdaLR', `lrLambda must be one function or one per parameter group (${groups}), got ${f.length}`);
      f.forEach((fn, i) => { if (typeof fn !== 'function') throw new TypeError(`LambdaLR: lrLambda[${i}] must be a function of the epoch, got ${typeof fn}`); });
      this.lambdas = [...(f as LrLambda[])];
    } else {
      if (typeof f !== 'function') throw new TypeError(`LambdaLR: lrLambda must be a function of the epoch (or one per group), got ${typeof f}`);
      this.lambdas = new Array<LrLambda>(groups).fill(f as LrLambda);
    }
    this.initialStep();
  }

  protected override epochZeroLr(_lr: number, baseLr: number, group: number): number {
    return this.closedFormLr(baseLr, 0, group);
  }

  protected override nextLr(_lr: number, baseLr: number, group: number): number {
    return this.closedFormLr(baseLr, this.lastEpoch, group);
  }

  override closedFormLr(baseLr: number, epoch: number, group: number): number {
    const factor = this.lambdas[group](epoch);
    if (typeof factor !== 'number' || !Number.isFinite(factor)) {
      throw new RangeError(`LambdaLR: lrLambda${this.lambdas.length > 1 ? `[${group}]` : ''}(${epoch}) returned ${String(factor)}; expected a finite number`);
    }
    return baseLr * factor;
  }
}
