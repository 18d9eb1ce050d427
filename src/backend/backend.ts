/**
 * The Backend: the one seam between math and hardware. Ops in `src/ops/` decide *what* to
 * compute and how gradients flow; a backend decides *how* the numbers are crunched. The cpu
 * backend runs typed-array (and WebAssembly) code; the gpu backend runs gpu.js kernels. Both
 * implement this interface, so the same model code runs on either.
 */
import type { Storage } from '../tensor/storage.ts';
import type { CoreKernels } from './core-kernels.ts';
import type { NnKernels } from './nn-kernels.ts';
import type { OptimKernels } from './optim-kernels.ts';

/** A complete set of kernels plus the means to move data onto the backend. */
export interface Backend extends CoreKernels, NnKernels, OptimKernels {
  /** 'cpu' or 'gpu'. */
  readonly name: string;
  /** What actually runs the kernels, e.g. 'typed arrays + wasm simd' or 'gpu.js headlessgl'. */
  readonly mode: string;
  /** Makes host data usable by this backend (identity on cpu, an upload on gpu). */
  upload(data: Float32Array): Storage;
}
