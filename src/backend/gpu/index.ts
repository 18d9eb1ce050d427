/**
 * The gpu backend: gpu.js kernels behind the same `Backend` interface as the cpu backend,
 * so `setBackend('gpu')` runs the same model code on a GPU. Tensors stay on the device
 * between kernels (pipeline textures) and are read back only when their values are needed
 * on the host. Building it loads gpu.js and finds a working mode, so that happens only
 * when the backend is first selected.
 */
import type { Backend } from '../backend.ts';
import { openRuntime, type GpuMode } from './modes.ts';
import { runProgram } from './program.ts';
import { argReduce, reduce } from './reduce.ts';
import { concat, gather, pad, scatterAdd, strided } from './movement.ts';
import { softmaxKernels } from './softmax.ts';
import { matmulKernels } from './matmul.ts';
import { convKernels } from './conv.ts';
import { poolKernels } from './pool.ts';

export interface GpuBackendOptions {
  /** A gpu.js mode to use instead of the best GPU mode found: 'headlessgl', 'webgl2', 'webgl', 'webasm' or 'cpu'. */
  mode?: GpuMode;
  /**
   * gpu.js itself (its `GPU` class or module), for apps that bundle it: tsgrad never imports
   * gpu.js, so a bundled app hands it over (`import { GPU } from 'gpu.js'`).
   */
  gpujs?: unknown;
}

/** Creates the gpu backend, in the requested gpu.js mode or the best one that works here. */
export function createGpuBackend(options: GpuBackendOptions = {}): Backend {
  const rt = openRuntime(options.mode, options.gpujs);
  return {
    name: 'gpu',
    mode: `gpu.js ${rt.mode}`,
    upload: (data) => rt.upload(data instanceof Float32Array ? data : Float32Array.from(data)),
    elementwise: (p, args, outShape) => runProgram(rt, p, args, outShape),
    reduce: (op, x, shape, axes) => reduce(rt, op, x, shape, axes),
    argReduce: (op, x, layout) => argReduce(rt, op, x, layout),
    strided: (x, _dtype, outShape, strides, offset) => strided(rt, x, outShape, strides, offset),
    pad: (x, _dtype, shape, outShape, begin) => pad(rt, x, shape, outShape, begin),
    concat: (parts, shapes, axis) => concat(rt, parts, shapes, axis),
    gather: (x, xShape, _dtype, axis, index, indexShape, outShape) => gather(rt, x, xShape, axis, index, indexShape, outShape),
    scatterAdd: (src, srcShape, axis, index, indexShape, outShape) => scatterAdd(rt, src, srcShape, axis, index, indexShape, outShape),
    ...softmaxKernels(rt),
    ...matmulKernels(rt),
    ...convKernels(rt),
    ...poolKernels(rt),
  };
}
