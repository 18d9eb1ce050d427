/**
 * `tg.optim`: the five classic optimizers (plus AdamW) with PyTorch's semantics and
 * defaults, and learning-rate schedulers. See docs/optimizers.md for the update rules.
 */
export {
  Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type Params, type ParamState,
  type OptimizerStateDict, type SavedParamState,
} from './optimizer.ts';
export { SGD, type SGDOptions, type SGDGroupOptions } from './sgd.ts';
export { Momentum, type MomentumOptions, type MomentumGroupOptions, type MomentumVariant } from './momentum.ts';
export { AdaGrad, type AdaGradOptions, type AdaGradGroupOptions } from './adagrad.ts';
export { RMSprop, type RMSpropOptions, type RMSpropGroupOptions } from './rmsprop.ts';
export { Adam, AdamFamily, type AdamOptions, type AdamGroupOptions } from './adam.ts';
export { AdamW, type AdamWOptions } from './adamw.ts';
export { LRScheduler, type LrOptimizer, type LRSchedulerStateDict } from './lr-scheduler.ts';
export { StepLR, type StepLROptions } from './step-lr.ts';
export { ExponentialLR, type ExponentialLROptions } from './exponential-lr.ts';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine-annealing-lr.ts';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauStateDict } from './reduce-lr-on-plateau.ts';
