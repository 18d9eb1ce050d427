// Resident arrays: float32 arrays that live in the GEMM's shared WebAssembly memory.
//
// WebAssembly code reads only its own memory, so a kernel on an ordinary array copies it in
// and its result out. For an optimizer that is most of the work: Adam's update of 1M
// parameters copied 16 MB in and 12 MB out per step, on one thread, to run a loop that reads
// and writes the same amount. So the arrays an optimizer updates in place on every step (the
// parameter and its state buffers) move, at their first fused update, into this memory
// (program-shared.ts), and stay there: later updates run where they lie, on both threads.
//
// A resident array is an ordinary Float32Array, a view on the memory's SharedArrayBuffer, so
// the rest of the framework (and `.data`) sees nothing different. Only a shared memory keeps
// its views valid when it grows (a plain one detaches them), so without threads, and on a page
// that is not cross-origin isolated, nothing becomes resident and kernels copy as before.
//
// Lifetime: a block goes back to a free list when its view is garbage-collected (a
// FinalizationRegistry entry per resident array — a few per parameter, unlike the per-tensor
// registry lifetimes.ts once had). Disposing its tensor does not free it sooner: a resident
// array is never pooled (host-pool.ts never made it), so the view is its only owner. A
// subarray of a resident array taken by user code does not keep the block. The memory itself
// never shrinks (no WebAssembly memory can), so a program that makes and drops many models
// keeps the largest set it ever held at once, plus fragmentation between sizes.
import { wasmGemm, type WasmGemm } from './gemm-wasm.ts';

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

/** The backend's resident arrays, or null where its memory is not shared (see above). */
export function residentArrays(): ResidentArrays | null {
  if (resident === undefined) {
    const kernel = wasmGemm();
    resident = kernel !== null && kernel.shared ? new ResidentArrays(kernel) : null;
  }
  return resident;
}
