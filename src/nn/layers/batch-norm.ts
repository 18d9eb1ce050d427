/** BatchNorm1D and BatchNorm2D: per-channel normalisation by batch statistics, with running averages for evaluation. */
import { Tensor } from '../../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../../tensor/errors.ts';
import { ones, zeros } from '../../tensor/creation.ts';
import { checkBoolean, checkInteger, checkPositive, checkOptions, show } from '../../tensor/validate.ts';
import { batchNorm } from '../../ops/norm.ts';
import { Module, expectDims } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { Buffer } from '../buffer.ts';

export interface BatchNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  eps?: number;
  /**
   * Weight of each new batch in the running averages. Default 0.1. `null` gives the
   * cumulative average of every batch so far (weight 1/batches), as in PyTorch.
   */
  momentum?: number | null;
  /** Learn a per-channel scale (weight, from 1) and shift (bias, from 0). Default true. */
  affine?: boolean;
  /** Keep running statistics for evaluation; without them every pass uses the batch's own. Default true. */
  trackRunningStats?: boolean;
}

/**
 * In training mode each channel is normalised by the batch's mean and biased variance (over
 * the batch and every position) and the running averages move toward them, the variance
 * unbiased; in evaluation mode the running averages normalise instead. Fields are named as
 * PyTorch's attributes, so the stateDict keys are `weight`, `bias`, `running_mean`,
 * `running_var` and `num_batches_tracked` (an int32 scalar counting training batches).
 */
abstract class BatchNorm extends Module {
  /** Per-channel scale [C], from 1 (null with affine false). */
  readonly weight: Parameter | null;
  /** Per-channel shift [C], from 0 (null with affine false). */
  readonly bias: Parameter | null;
  /** Running mean [C] used in evaluation (null with trackRunningStats false). */
  readonly running_mean: Buffer | null;
  /** Running unbiased variance [C] used in evaluation. */
  readonly running_var: Buffer | null;
  /** Training batches seen: an int32 scalar (PyTorch's is int64). */
  readonly num_batches_tracked: Buffer | null;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of each batch in the running averages; null for the cumulative average. */
  readonly momentum: number | null;

  constructor(
    /** Channels of the input (dimension 1). */
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    const name = this.constructor.name;
    checkInteger(name, 'numFeatures', numFeatures, 1);
    checkOptions(name, options, ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.eps = options.eps ?? 1e-5;
    checkPositive(name, 'eps', this.eps);
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (this.momentum !== null && (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1))) {
      throw new RangeError(`${name}: momentum must be in [0, 1] or null (cumulative average), got ${show(this.momentum)}`);
    }
    const affine = options.affine ?? true;
    const track = options.trackRunningStats ?? true;
    checkBoolean(name, 'affine', affine);
    checkBoolean(name, 'trackRunningStats', track);
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    this.running_mean = track ? new Buffer(zeros([numFeatures])) : null;
    this.running_var = track ? new Buffer(ones([numFeatures])) : null;
    this.num_batches_tracked = track ? new Buffer(new Int32Array(1), []) : null;
  }

  /** The input dimensions this layer accepts and how to describe them. */
  protected abstract get layout(): { dims: number[]; text: string };

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    expectDims(name, x, this.layout.dims, this.layout.text);
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${name}(${this.numFeatures}): input ${fmtShape(x.shape)} has ${x.shape[1]} channels, expected ${this.numFeatures}`);
    }
    // The counter lives on the host whatever the backend: one integer, read by the cumulative average.
    const counter = this.training && this.num_batches_tracked ? this.num_batches_tracked.data : null;
    const batches = counter ? counter[0] + 1 : 0;
    const y = batchNorm(x, this.running_mean, this.running_var, this.weight, this.bias, {
      training: this.training || this.running_mean === null,
      momentum: this.momentum ?? (batches > 0 ? 1 / batches : 0),
      eps: this.eps,
    });
    // Counted only once the batch has been used: a rejected input leaves the layer as it was.
    if (counter) counter[0] = batches;
    return y;
  }

  override describe(): string {
    return `${this.constructor.name}(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}${this.weight ? '' : ', affine=false'}${this.running_mean ? '' : ', trackRunningStats=false'})`;
  }
}

/** Batch normalisation of [N, C] features or [N, C, L] sequences. */
export class BatchNorm1D extends BatchNorm {
  protected get layout() { return { dims: [2, 3], text: '[N, C] or [N, C, L]' }; }
}

/** Batch normalisation of [N, C, H, W] images, per channel. */
export class BatchNorm2D extends BatchNorm {
  protected get layout() { return { dims: [4], text: '[N, C, H, W]' }; }
}
