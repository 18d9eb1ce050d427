/**
 * The types an Optimizer is written in terms of: options, parameter groups, per-parameter
 * state and the step closure. They are public (re-exported by optimizer.ts, whose users
 * import them from there) and live apart so that optimizer.ts holds the class alone and
 * state-dict.ts can use them without importing the class's module.
 */
import type { Tensor } from '../tensor/tensor.ts';

/** Options every optimizer has; schedulers rely on `lr` alone. */
export interface BaseOptions {
  /** Learning rate. */
  lr: number;
}

/** A set of parameters optimized with its own options (a resolved copy lives in `paramGroups`). */
export type ParamGroup<O> = O & {
  /** The parameters this group's options apply to. */
  params: Tensor[];
};

/** A parameter group as the user writes it: options left out fall back to the optimizer's. */
export type ParamGroupInput<O> = Partial<O> & {
  /** The group's parameters: one tensor or any iterable of them. */
  params: Iterable<Tensor> | Tensor;
};

/** What an optimizer accepts: tensors (one group), or groups with their own options. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** An optimizer's memory for one parameter: how many steps it took and its buffers. */
export interface ParamState {
  /** Steps this parameter has taken (the t of bias corrections and lrDecay). */
  step: number;
  /** The optimizer's per-element memory, e.g. Adam's expAvg and expAvgSq, shaped like the parameter. */
  buffers: Record<string, Tensor>;
  /** Memory that is one number per parameter, not per element, e.g. NAdam's product μ₁·…·μₜ. */
  scalars: Record<string, number>;
}

/** What `step(closure)` calls: re-evaluates the model and returns the loss (after `backward()`). */
export type Closure<L extends Tensor | number = Tensor | number> = () => L;

/** Options every optimizer takes besides its hyperparameters. */
export interface OptimizerOptions {
  /**
   * Update with the fused elementwise program (default) or with the reference written as
   * plain tensor ops — slower, the same to float32 rounding, and there to be read and tested
   * against (PyTorch's `fused`/`foreach` flags play the same role).
   */
  fused?: boolean;
}
