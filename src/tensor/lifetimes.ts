/**
 * Tensor lifetimes: `tidy`, `dispose`, `keep` and `memory`.
 *
 * On the cpu, memory is the garbage collector's business. On a gpu it is not: the collector
 * never sees texture memory and never runs inside a synchronous training loop, so a browser
 * tab would fill the GPU in a few hundred steps. So tensors are counted here, as TF.js counts
 * them: `dispose()` frees one at once, and `tidy(fn)` disposes every tensor `fn` made except
 * what it returns. Tensors share storage (a reshape is a view), so storages are
 * reference-counted and freed with their last tensor.
 *
 * A tensor that is simply dropped stays counted by `memory()` until disposed; its host memory is
 * still reclaimed by the collector, and a gpu texture by the backend's own reclaimer
 * (gpu/memory.ts). Counting it out on collection would need a FinalizationRegistry entry per
 * tensor, which is what this file once did, and it cost twice: V8 keeps registered objects alive
 * through young-generation collections (without the registry, the collector's share of 3000
 * MLP steps fell from 1.8 s to 0.45 s in a CPU profile), and the registry's held value
 * kept the storage itself alive until its callback ran — which never happens inside a
 * synchronous training loop, so a loop without `tidy` grew by gigabytes (the MNIST CNN by
 * 2.5 GB per 100 batches).
 */
import type { Storage } from './storage.ts';
import { storageBytes } from './storage.ts';
import { recycleArray } from './host-pool.ts';
import { DisposedError } from './errors.ts';

interface Tracked {
  readonly rawStorage: Storage;
  kept: boolean;
  disposed: boolean;
  dispose(): void;
}

const refCounts = new WeakMap<object, number>();
let liveTensors = 0;
let liveBytes = 0;

export function retainStorage(s: Storage): void {
  const n = refCounts.get(s) ?? 0;
  if (n === 0) liveBytes += storageBytes(s);
  refCounts.set(s, n + 1);
}

export function releaseStorage(s: Storage): void {
  const n = refCounts.get(s) ?? 0;
  if (n <= 1) {
    refCounts.delete(s);
    if (n === 1) liveBytes -= storageBytes(s);
    if (ArrayBuffer.isView(s)) recycleArray(s);
    else s.dispose?.();
  } else {
    refCounts.set(s, n - 1);
  }
}

/** Open `tidy` scopes, innermost last: the tensors each has made. */
const scopes: Tracked[][] = [];

/** Counts a new tensor and hands it to the innermost open `tidy`. */
export function trackTensor(t: Tracked): void {
  liveTensors++;
  retainStorage(t.rawStorage);
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
}

/** Frees a tensor's claim on its storage now (the caller marks it disposed). */
export function untrackTensor(t: Tracked): void {
  liveTensors--;
  releaseStorage(t.rawStorage);
}

/**
 * Runs `fn` and then disposes every tensor it created, except the tensors it returns (a
 * tensor, or tensors inside a returned array or plain object) and those passed to `keep`.
 * Returned tensors move to the enclosing `tidy`, if any. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError(`tidy: expected a function, got ${typeof fn}`);
  const scope: Tracked[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    disposeAll(scope, new Set());
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    disposeAll(scope, new Set());
    throw new TypeError('tidy: fn returned a Promise; tidy only works with synchronous functions (dispose tensors yourself in async code)');
  }
  const returned = new Set<unknown>();
  collectReturned(result, returned, 0);
  disposeAll(scope, returned);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of scope) if (returned.has(t) && !t.disposed) parent.push(t);
  return result;
}

function collectReturned(v: unknown, out: Set<unknown>, depth: number): void {
  if (v === null || typeof v !== 'object' || depth > 8 || out.has(v)) return;
  out.add(v);
  if (Array.isArray(v)) for (const x of v) collectReturned(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v)) collectReturned(x, out, depth + 1);
}

function disposeAll(scope: Tracked[], returned: Set<unknown>): void {
  for (const t of scope) if (!t.kept && !t.disposed && !returned.has(t)) t.dispose();
}

/** Whether a `tidy` is open: what is made now is disposed when it ends, unless returned or kept. */
export function insideTidy(): boolean {
  return scopes.length > 0;
}

/**
 * Hands `s`, a storage no tensor holds (an op's saved state for its backward, like max-pool's
 * argmax), to the innermost open `tidy`, which frees it with the tensors it made. Returns how
 * to read it: a function that throws, naming `op`, once the storage is freed. Outside `tidy`
 * the storage is left to the garbage collector, as before.
 */
export function ownedByScope<S extends Storage>(op: string, s: S): () => S {
  const scope = scopes[scopes.length - 1];
  if (scope === undefined) return () => s;
  const owner: Tracked = {
    rawStorage: s, kept: false, disposed: false,
    dispose() {
      this.disposed = true;
      if (ArrayBuffer.isView(s)) recycleArray(s);
      else s.dispose?.();
    },
  };
  scope.push(owner);
  return () => {
    if (owner.disposed) {
      throw new DisposedError(`${op}: backward after the tidy() that ran the forward pass ended; what the gradient needs was freed with it (call backward inside that tidy)`);
    }
    return s;
  };
}

/** Exempts `t` from every `tidy` (it lives until disposed, or dropped and collected); returns it. */
export function keep<T extends { kept: boolean }>(t: T): T {
  t.kept = true;
  return t;
}

/** Tensors made and not yet disposed, and the bytes of their storages (TF.js's `memory()`). */
export function memory(): { tensors: number; bytes: number } {
  return { tensors: liveTensors, bytes: liveBytes };
}
