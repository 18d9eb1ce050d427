// Turning the embedded kernel binaries (build/wasm/kernels.js, written by
// scripts/build-wasm.mjs) into compiled WebAssembly modules and memories. Everything here
// is synchronous: the binaries are a few KB, under every engine's limit for compiling on a
// page's main thread, so the cpu backend needs no `await` before its first matmul.

import { enableRelaxedSimd } from '#platform';
import type { KernelBinaries } from '../../../build/wasm/kernels.js';

// The slice of the WebAssembly JS API used here. The project compiles against lib ES2022
// and @types/node 20, neither of which declares the WebAssembly global, so it is typed
// locally rather than pulling in the DOM lib.
/** A compiled WebAssembly module (can be posted to a worker). */
export type WasmModule = object;
/** A WebAssembly.Memory; its buffer is shared when worker threads use it too. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  validate(bytes: Uint8Array): boolean;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Which build to load (scripts/build-wasm.mjs makes all four). */
export interface KernelChoice {
  /** Prefer the relaxed-SIMD build (fused multiply-add) where the engine runs it. */
  relaxed: boolean;
  /** A build that imports a shared memory, for worker threads. */
  shared: boolean;
}

/** A compiled kernel module, and whether it is the relaxed-SIMD build. */
export interface CompiledKernel {
  module: WasmModule;
  relaxed: boolean;
}

/** Compiles the best build of `binaries` for `choice`; throws if the engine runs none (no SIMD). */
export function compileKernel(binaries: KernelBinaries, choice: KernelChoice): CompiledKernel {
  if (choice.relaxed) {
    const bytes = decode(choice.shared ? binaries.relaxed : binaries.relaxedUnshared);
    if (relaxedSimdAvailable(bytes)) return { module: new wasmApi.Module(bytes), relaxed: true };
  }
  return { module: new wasmApi.Module(decode(choice.shared ? binaries.simd : binaries.simdUnshared)), relaxed: false };
}

/** Relaxed SIMD's fused multiply-add makes the GEMM about 1.5× faster on x86 with FMA. */
function relaxedSimdAvailable(bytes: Uint8Array): boolean {
  if (wasmApi.validate(bytes)) return true;
  enableRelaxedSimd();
  return wasmApi.validate(bytes);
}

function decode(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
