/**
 * The cpu backend: typed-array kernels (with a WebAssembly SIMD GEMM where it pays),
 * assembled from one file per kernel family.
 */
import type { Backend } from '../backend.ts';
import { registerBackend } from '../registry.ts';
import { binary, broadcastTo, scalar, unary, unaryGrad } from './elementwise.ts';
import { maxAxis, scatterAxis, sumAxes } from './reduce.ts';
import { softmax, softmaxGrad } from './softmax.ts';
import { permute } from './permute.ts';
import { matmul } from './matmul.ts';
import { conv2d, conv2dGradInput, conv2dGradWeight } from './conv.ts';
import { maxPool2d, maxPool2dGrad } from './pool.ts';
import { optimKernels } from './optim.ts';

/** Creates the cpu backend. */
export function createCpuBackend(): Backend {
  return {
    name: 'cpu',
    mode: 'typed arrays',
    upload: (data) => data,
    unary, unaryGrad, binary, scalar, broadcastTo,
    sumAxes, maxAxis, scatterAxis,
    softmax, softmaxGrad,
    permute, matmul,
    conv2d, conv2dGradInput, conv2dGradWeight,
    maxPool2d, maxPool2dGrad,
    ...optimKernels,
  };
}

registerBackend('cpu', createCpuBackend, true);
