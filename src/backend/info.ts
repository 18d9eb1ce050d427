/** `backendInfo()`: what really runs the kernels, as opposed to what was asked for. */
import { backend } from './registry.ts';
import { wasmGemm } from './cpu/gemm-wasm.ts';

/** What runs the kernels of the active backend. */
export interface BackendInfo {
  /** The active backend: 'cpu' or 'gpu'. */
  name: string;
  /**
   * cpu: 'wasm-relaxed-simd' (the WebAssembly SIMD matmul with fused multiply-add),
   * 'wasm-simd', or 'js' (the TypeScript fallback, where WebAssembly SIMD cannot run).
   * gpu: the gpu.js mode found to work: 'headlessgl', 'webgl2', 'webgl', 'webasm' or 'cpu'.
   */
  mode: string;
  /** Threads the cpu matmul may use, the calling one included; 1 on the gpu backend. */
  threads: number;
  /** True when the cpu matmul runs WebAssembly SIMD; false on the gpu backend. */
  simd: boolean;
}

/**
 * What runs the kernels now. On the cpu backend this loads the WebAssembly kernel if it was
 * not loaded yet, so the answer is what the next matmul will use.
 */
export function backendInfo(): BackendInfo {
  const active = backend();
  if (active.name === 'cpu') {
    const kernel = wasmGemm();
    if (kernel === null) return { name: 'cpu', mode: 'js', threads: 1, simd: false };
    return { name: 'cpu', mode: kernel.relaxed ? 'wasm-relaxed-simd' : 'wasm-simd', threads: kernel.threads, simd: true };
  }
  // The gpu backend states its mode as 'gpu.js <mode>'.
  return { name: active.name, mode: active.mode.replace(/^gpu\.js /, ''), threads: 1, simd: false };
}
