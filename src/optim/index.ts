/**
 * `tg.optim`: optimizers with PyTorch's semantics and defaults, learning-rate schedulers and
 * the learning-rate range test. See docs/optimizers.md for the update rules.
 */
export {
  Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type Params, type ParamState,
  type OptimizerStateDict, type SavedParamState, type Closure,
} from './optimizer.ts';
export { SGD, type SGDOptions, type SGDGroupOptions } from './sgd.ts';
export { Momentum, type MomentumOptions, type MomentumGroupOptions, type MomentumVariant } from './momentum.ts';
export { AdaGrad, type AdaGradOptions, type AdaGradGroupOptions } from './adagrad.ts';
export { RMSprop, type RMSpropOptions, type RMSpropGroupOptions } from './rmsprop.ts';
export { Adam, AdamFamily, type AdamOptions, type AdamGroupOptions } from './adam.ts';
export { AdamW, type AdamWOptions } from './adamw.ts';
export { Adadelta, type AdadeltaOptions, type AdadeltaGroupOptions } from './adadelta.ts';
export { Adamax, type AdamaxOptions, type AdamaxGroupOptions } from './adamax.ts';
export { NAdam, type NAdamOptions, type NAdamGroupOptions } from './nadam.ts';
export { RAdam, type RAdamOptions, type RAdamGroupOptions } from './radam.ts';
export { Rprop, type RpropOptions, type RpropGroupOptions } from './rprop.ts';
export { LBFGS, type LBFGSOptions, type LBFGSGroupOptions } from './lbfgs.ts';
export { Lion, type LionOptions, type LionGroupOptions } from './lion.ts';
export { LRScheduler, type LrOptimizer, type LRSchedulerStateDict } from './lr-scheduler.ts';
export { StepLR, type StepLROptions } from './step-lr.ts';
export { MultiStepLR, type MultiStepLROptions } from './multi-step-lr.ts';
export { ExponentialLR, type ExponentialLROptions } from './exponential-lr.ts';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine-annealing-lr.ts';
export { CosineAnnealingWarmRestarts, type CosineAnnealingWarmRestartsOptions } from './cosine-annealing-warm-restarts.ts';
export { LinearLR, type LinearLROptions } from './linear-lr.ts';
export { OneCycleLR, type OneCycleLROptions, type MomentumOptimizer } from './one-cycle-lr.ts';
export { LambdaLR, type LambdaLROptions, type LrLambda } from './lambda-lr.ts';
export { SequentialLR, type SequentialLROptions, type SequentialLRStateDict } from './sequential-lr.ts';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauStateDict } from './reduce-lr-on-plateau.ts';
export { findLr, suggestLr, type FindLrOptions, type FindLrResult, type FindLrLoader, type FindLrLoss, type FindLrBatch } from './find-lr.ts';
