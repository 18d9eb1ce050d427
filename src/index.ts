/**
 * tsgrad — a small deep learning framework written from scratch in TypeScript.
 * This file is the public API and nothing else.
 */
import './ops/methods.ts';

export { Tensor, type TensorOptions, type NestedArray, type BackwardOptions } from './tensor/tensor.ts';
export { tensor, zeros, ones, full, rand, randn, arange, type TensorFromOptions, type TensorLike } from './tensor/creation.ts';
export type { DType, HostArray } from './tensor/dtype.ts';
export { manualSeed, getRngState, setRngState, type RngState } from './tensor/random.ts';
export { noGrad, isGradEnabled, type GradNode } from './tensor/autograd.ts';
export { tidy, keep, memory } from './tensor/lifetimes.ts';
export type { Shape } from './tensor/shape.ts';
export type { Storage, DeviceData } from './tensor/storage.ts';
export { ShapeError, AxisError, AutogradError, DTypeError, DisposedError } from './tensor/errors.ts';
export { setBackend, getBackend } from './backend/registry.ts';
export { GpuUnavailableError } from './backend/gpu/modes.ts';
export { minimum, maximum } from './ops/math.ts';
export { where } from './ops/compare.ts';
export { cat, stack } from './ops/join.ts';
export { backendInfo, type BackendInfo } from './backend/info.ts';
export { NodeOnlyError, FileAccessError } from './platform/errors.ts';
export * as ops from './ops/index.ts';
export * as nn from './nn/index.ts';
export * as io from './io/index.ts';
export * as optim from './optim/index.ts';
export * as data from './data/index.ts';
export * as train from './train/index.ts';
export * as onnx from './onnx/index.ts';
