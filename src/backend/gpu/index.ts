/**
 * The gpu backend: gpu.js kernels behind the same `Backend` interface as the cpu backend,
 * so `setBackend('gpu')` runs the same model code on a GPU. Tensors stay on the device
 * between kernels (pipeline textures) and are read back only when their values are needed
 * on the host. Importing this module is cheap and cannot fail: gpu.js is loaded, and a
 * working mode found, only when the backend is first selected.
 */
import type { Backend } from '../backend.ts';
import { registerBackend } from '../registry.ts';
import { openRuntime, type GpuMode } from './modes.ts';
import { elementwiseKernels } from './elementwise.ts';
import { reduceKernels } from './reduce.ts';
import { softmaxKernels } from './softmax.ts';
import { matmulKernels } from './matmul.ts';
import { convKernels } from './conv.ts';
import { poolKernels } from './pool.ts';
import { optimKernels } from './optim.ts';

/** Options of `setBackend('gpu', options)`. */
export interface GpuBackendOptions {
  /** A gpu.js mode to use instead of the best GPU mode found: 'headlessgl', 'webgl2', 'webgl', 'webasm' or 'cpu'. */
  mode?: GpuMode;
}

/** Creates the gpu backend, in the requested gpu.js mode or the best one that works here. */
export function createGpuBackend(options: GpuBackendOptions = {}): Backend {
  const rt = openRuntime(options.mode);
  return {
    name: 'gpu',
    mode: `gpu.js ${rt.mode}`,
    upload: (data) => rt.upload(data),
    ...elementwiseKernels(rt),
    ...reduceKernels(rt),
    ...softmaxKernels(rt),
    ...matmulKernels(rt),
    ...convKernels(rt),
    ...poolKernels(rt),
    ...optimKernels(rt),
  };
}

registerBackend('gpu', (options) => createGpuBackend(options as GpuBackendOptions));
