/** Neural-network building blocks: Module, layers, losses, init, functional forms and utils. */
import '../ops/methods.ts';
export { Module, StateDictError, type StateDict, type Member } from './module.ts';
export { Parameter } from './parameter.ts';
export { Buffer } from './buffer.ts';
export { Sequential } from './sequential.ts';
export { Dense, Linear, type DenseOptions } from './layers/dense.ts';
export { Conv2D, type Conv2DOptions } from './layers/conv.ts';
export { Conv1D, type Conv1DOptions } from './layers/conv1d.ts';
export { ConvTranspose2D, type ConvTranspose2DOptions } from './layers/conv-transpose.ts';
export { MaxPool2D, AvgPool2D, AdaptiveAvgPool2D } from './layers/pool.ts';
export { Upsample, type UpsampleOptions } from './layers/upsample.ts';
export { BatchNorm1D, BatchNorm2D, type BatchNormOptions } from './layers/batch-norm.ts';
export { LayerNorm, type LayerNormOptions } from './layers/layer-norm.ts';
export { GroupNorm, type GroupNormOptions } from './layers/group-norm.ts';
export { Embedding, type EmbeddingOptions } from './layers/embedding.ts';
export { LSTM } from './layers/lstm.ts';
export { GRU } from './layers/gru.ts';
export type { RecurrentOptions } from './layers/recurrent.ts';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionForwardOptions } from './layers/multihead-attention.ts';
export { TransformerEncoderLayer, type TransformerEncoderLayerOptions, type EncoderForwardOptions } from './layers/transformer.ts';
export {
  ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, LeakyReLU, ELU, GELU, SiLU, Softplus, LogSigmoid, type SoftplusOptions,
} from './layers/activation.ts';
export { Identity } from './layers/identity.ts';
export { Flatten } from './layers/flatten.ts';
export { Dropout } from './layers/dropout.ts';
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss,
  type LossModuleOptions, type ClassLossOptions,
} from './losses.ts';
export * as functional from './functional.ts';
export * as init from './init.ts';
export * as utils from './utils.ts';
