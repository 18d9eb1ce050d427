/** Training: fit() with progress and callbacks, evaluate(), checkpoints. */
export { fit, type FitOptions } from './fit.ts';
export { evaluate, type EvaluateOptions, type Evaluation } from './evaluate.ts';
export type { Metric, MetricName, CustomMetric } from './metrics.ts';
export { History, type EpochRecord } from './history.ts';
export { EarlyStopping, type EarlyStoppingOptions, type Callback, type TrainingContext, type BatchLogs, type Monitor } from './callbacks.ts';
export { saveCheckpoint, loadCheckpoint, CheckpointError, type Checkpoint } from './checkpoint.ts';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.ts';
export { NonFiniteLossError, type RunPosition } from './errors.ts';
export type { ProgressStream } from './progress.ts';
export type { TrainableModel, TrainableOptimizer, LossFunction, EpochScheduler, BatchSource, Target } from './types.ts';
