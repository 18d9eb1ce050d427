// Resident arrays: float32 arrays that live in the GEMM's shared WebAssembly memory.
//
// WebAssembly code reads only its own memory, so a kernel on an ordinary array copies it in
// and its result out. Copies from and to a SharedArrayBuffer run at about 10 GB/s here (half
// the speed of plain-to-plain ones), which made them most of the work for anything that is not
// a GEMM: Adam's update of 1M parameters copied 16 MB in and 12 MB out per step to run a loop
// that reads and writes the same amount, and a ReLU over a 1.18M-float activation spent
// 0.86 ms copying against 0.1 ms of SIMD work. So two kinds of arrays live in this memory:
// - the arrays an optimizer updates in place on every step (a parameter and its state), which
//   move here at their first fused update (program-shared.ts) and stay;
// - every float32 array of RESIDENT_MIN_ELEMENTS or more made inside `tidy` (activations,
//   gradients, temporaries of a training step), which the host pool takes from here
//   (residentFloat32Source below, tensor/host-pool.ts) and hands back to the next step.
// The kernels (GEMM, convolutions, pooling, elementwise programs) read and write a resident
// operand where it lies (`WasmGemm.holds`), and only copy the others.
//
// A resident array is an ordinary Float32Array, a view on the memory's SharedArrayBuffer, so
// the rest of the framework (and `.data`) sees nothing different. Only a shared memory keeps
// its views valid when it grows (a plain one detaches them), so without threads, and on a page
// that is not cross-origin isolated, nothing becomes resident and kernels copy as before.
//
// Lifetime: a block goes back to a free list when its view is garbage-collected (a
// FinalizationRegistry entry per resident array). The host pool keeps the arrays of disposed
// tensors for reuse, so in a training loop under `tidy` the same blocks serve every step and
// the collector is not involved. A subarray of a resident array taken by user code does not
// keep the block. The memory itself never shrinks (no WebAssembly memory can), so a program
// keeps the largest set of resident arrays it ever held at once, plus fragmentation between
// sizes, up to MAX_RESIDENT_BYTES.
import { wasmGemm, type WasmGemm } from './gemm-wasm.ts';
import { insideTidy } from '../../tensor/lifetimes.ts';
import type { Float32Source } from '../../tensor/host-pool.ts';

/** Arrays smaller than this stay where they are: their copies cost little (~1 µs per 4K floats). */
export const RESIDENT_MIN_ELEMENTS = 16384;
/** At most this much of the memory holds resident arrays; past it, arrays stay in JS memory. */
const MAX_RESIDENT_BYTES = 1024 * 2 ** 20;

export class ResidentArrays {
  /** Free blocks by size in bytes. */
  private readonly free = new Map<number, number[]>();
  private readonly views = new WeakSet<Float32Array>();
  private readonly registry: FinalizationRegistry<{ at: number; bytes: number }>;
  /** Bytes taken from the memory for resident arrays (live or free). */
  reservedBytes = 0;

  /** `Registry` is for tests: one whose dead entries can be swept synchronously (syncCollector()). */
  constructor(readonly kernel: WasmGemm, Registry: typeof FinalizationRegistry = FinalizationRegistry) {
    this.registry = new Registry<{ at: number; bytes: number }>(({ at, bytes }) => this.release(at, bytes));
  }

  /** Frees the blocks of arrays already collected, now, where the registry can (tests). */
  sweep(): void {
    (this.registry as { cleanupSome?: () => void }).cleanupSome?.();
  }

  /** A resident array of `length` floats (contents undefined), or null where none can be had. */
  allocate(length: number): Float32Array | null {
    const bytes = Math.ceil((length * 4) / 64) * 64 || 64;
    let at = this.free.get(bytes)?.pop();
    if (at === undefined) {
      if (this.reservedBytes + bytes > MAX_RESIDENT_BYTES) return null;
      const got = this.kernel.reserve(bytes);
      if (got === null) return null;
      at = got;
      this.reservedBytes += bytes;
    }
    const view = new Float32Array(this.kernel.buffer, at, length);
    this.views.add(view);
    this.registry.register(view, { at, bytes });
    return view;
  }

  /** Whether `a` is a whole array made by allocate() (so its padding to 64 bytes is its own). */
  has(a: unknown): a is Float32Array {
    return a instanceof Float32Array && this.views.has(a);
  }

  /** Zeroes a resident array (natively: fill() on a shared buffer is several times slower). */
  zero(a: Float32Array): void {
    this.kernel.zero(a.byteOffset, a.byteLength);
  }

  /** Bytes in free blocks. */
  freeBytes(): number {
    let total = 0;
    for (const [bytes, list] of this.free) total += bytes * list.length;
    return total;
  }

  private release(at: number, bytes: number): void {
    let list = this.free.get(bytes);
    if (list === undefined) this.free.set(bytes, (list = []));
    list.push(at);
  }
}

let resident: ResidentArrays | null | undefined;

/**
 * The host pool's source of large float32 arrays (tensor/host-pool.ts): resident arrays for
 * those made inside `tidy`, so activations, gradients and temporaries of a training step lie
 * where the kernels work and are never copied in or out. Only inside `tidy`, because only
 * there is every array handed back when its step ends: outside it, a dropped array would wait
 * for its FinalizationRegistry callback, which never runs inside a synchronous loop, and the
 * memory would fill up to MAX_RESIDENT_BYTES.
 */
export const residentFloat32Source: Float32Source = {
  minElements: RESIDENT_MIN_ELEMENTS,
  active: insideTidy,
  take: (n) => residentArrays()?.allocate(n) ?? null,
  zero: (a) => residentArrays()!.zero(a),
};

/** The backend's resident arrays, or null where its memory is not shared (see above). */
export function residentArrays(): ResidentArrays | null {
  if (resident === undefined) {
    const kernel = wasmGemm();
    resident = kernel !== null && kernel.shared ? new ResidentArrays(kernel) : null;
  }
  return resident;
}
