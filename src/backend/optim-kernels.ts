/**
 * One fused update kernel per optimizer: the parameter and its state updated in one pass.
 * Filled in with the optim module.
 */

/** Kernels behind `src/optim/`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface OptimKernels {}
