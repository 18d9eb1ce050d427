/**
 * Host arrays handed from one training step to the next.
 *
 * A training step makes the same tensors every time: the same activations, gradients and
 * temporaries, of the same sizes. Inside `tidy` (which fit() and evaluate() run every batch
 * in) they are all disposed when the step ends, so their arrays can serve the next step
 * instead of being dropped for the garbage collector while fresh ones are allocated: large
 * typed arrays live outside the JavaScript heap, and each fresh one costs a zeroing
 * allocation, page faults on first touch, and collections triggered by external memory.
 *
 * Only arrays this module made, whose last tensor was disposed, and that nobody outside the
 * framework can hold are reused: reading `t.data` gives the caller the array itself, so it is
 * never reused (see `exposeArray`). A tensor that is dropped without being disposed leaves its
 * array to the garbage collector as before.
 */
import type { DType, HostArray } from './dtype.ts';

/** Below this many elements a fresh array is cheap (small typed arrays live in the JS heap). */
const MIN_ELEMENTS = 1024;
/**
 * At most this many bytes of arrays in JavaScript memory wait in the pool; past it, released
 * ones go to the collector. (Arrays from the float32 source are not counted: see recycleArray.)
 */
const MAX_POOLED_BYTES = 256 * 2 ** 20;

type ArrayType = typeof Float32Array | typeof Int32Array | typeof Uint8Array;
const ARRAY_TYPE: Record<DType, ArrayType> = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };

/**
 * Where float32 arrays of `minElements` or more come from when a backend has a better place for
 * them than the JavaScript heap: the cpu backend's resident arrays, which its WebAssembly
 * kernels read and write where they lie (backend/cpu/resident.ts). Only while `active()`
 * (inside tidy, where every array comes back when its step ends) are they made or reused;
 * `take` returns null to decline; `zero` zeroes one (fill() is slow on shared memory).
 */
export interface Float32Source {
  readonly minElements: number;
  active(): boolean;
  take(n: number): Float32Array | null;
  zero(a: Float32Array): void;
}
let float32Source: Float32Source | null = null;
/** The source each array it made came from (its free arrays are kept apart from the others). */
const sourceOf = new WeakMap<HostArray, Float32Source>();

/** Installs (or with null, removes) the source of large float32 arrays. */
export function setFloat32Source(source: Float32Source | null): void {
  float32Source = source;
}


/** Free arrays by kind (array type, that is dtype, or the source that made them), then by length. */
const free = new Map<ArrayType | Float32Source, Map<number, HostArray[]>>();
let pooledBytes = 0;
/** The part of pooledBytes in JavaScript memory (not from the float32 source), which MAX_POOLED_BYTES caps. */
let pooledHostBytes = 0;
/** Arrays made here that may be reused once released (not exposed through `.data`). */
const reusable = new WeakSet<HostArray>();

function takeFree(kind: ArrayType | Float32Source, n: number): HostArray | undefined {
  const a = free.get(kind)?.get(n)?.pop();
  if (a !== undefined) {
    pooledBytes -= a.byteLength;
    if (!sourceOf.has(a)) pooledHostBytes -= a.byteLength;
  }
  return a;
}

/**
 * A host array of `n` elements: zeroed, or with `zeroed` false, with undefined contents (for
 * kernels that write every element).
 */
export function takeArray(dtype: DType, n: number, zeroed = true): HostArray {
  const type = ARRAY_TYPE[dtype];
  const source = float32Source;
  if (type === Float32Array && source !== null && n >= source.minElements && source.active()) {
    let a = takeFree(source, n) as Float32Array | undefined;
    if (a === undefined) {
      a = source.take(n) ?? undefined;
      if (a !== undefined) sourceOf.set(a, source);
    }
    if (a !== undefined) {
      reusable.add(a);
      if (zeroed) source.zero(a);
      return a;
    }
  }
  if (n < MIN_ELEMENTS) return new type(n);
  const a = takeFree(type, n);
  if (a === undefined) {
    const made = new type(n);
    reusable.add(made);
    return made;
  }
  reusable.add(a);
  if (zeroed) a.fill(0);
  return a;
}

/**
 * Takes back an array whose last tensor was disposed, if it is one of ours and unexposed. An
 * array from the float32 source always waits for reuse, past MAX_POOLED_BYTES too: its memory
 * stays taken either way (the source has it reserved), and dropped it would come back only when
 * collected, which a synchronous training loop does not wait for, so the source filled up and
 * declined. A ResNet-14 training step at batch 128 (examples/cifar10-resnet.ts's model) makes
 * 617 MB of them: with the cap, the source's 1 GiB ran out within two steps, and from then on
 * most activations were ordinary arrays that every kernel copied in and out. Without it the
 * step went 0.53–0.54 s → 0.30–0.31 s (elementwise programs 283 → 37 ms of it).
 */
export function recycleArray(a: HostArray): void {
  if (!reusable.delete(a)) return;
  const source = sourceOf.get(a);
  if (source === undefined && pooledHostBytes + a.byteLength > MAX_POOLED_BYTES) return;
  const kind = source ?? (a.constructor as ArrayType);
  let byLength = free.get(kind);
  if (byLength === undefined) free.set(kind, (byLength = new Map()));
  let list = byLength.get(a.length);
  if (list === undefined) byLength.set(a.length, (list = []));
  list.push(a);
  pooledBytes += a.byteLength;
  if (source === undefined) pooledHostBytes += a.byteLength;
}

/** Marks an array as held by user code (read through `.data`): it is never reused. */
export function exposeArray(a: HostArray): void {
  reusable.delete(a);
}

/** Bytes of released arrays waiting to be reused (not counted by `memory()`); `host`: only those in JavaScript memory. */
export function pooledArrayBytes(which: 'all' | 'host' = 'all'): number {
  return which === 'host' ? pooledHostBytes : pooledBytes;
}
