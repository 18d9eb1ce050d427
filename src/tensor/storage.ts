/**
 * Where a tensor's numbers live. On the cpu backend that is a host typed array; a gpu backend
 * keeps them on the device (a texture) and hands back a `DeviceData` that knows how to copy
 * itself to the host. Tensors hold either, so a training step on the gpu never round-trips
 * through JavaScript arrays until someone reads `.data`.
 */
import { isHostArray, type HostArray } from './dtype.ts';

/** Numbers held by an accelerator; copied to the host only when read. */
export interface DeviceData {
  /** Number of elements. */
  readonly length: number;
  /** Which backend made it (a backend given another backend's data downloads it first). */
  readonly backend: string;
  /** Copies the values to a new host array (devices hold every dtype as float32). */
  download(): Float32Array;
  /** Frees the device memory now; called when the last tensor using it is disposed. */
  dispose?(): void;
}

export type Storage = HostArray | DeviceData;

export function isHost(s: Storage): s is HostArray {
  return isHostArray(s);
}

/** The storage's values on the host as float32 (the array itself when it already is one). */
export function toHost(s: Storage): Float32Array {
  if (s instanceof Float32Array) return s;
  if (isHostArray(s)) return Float32Array.from(s);
  return s.download();
}

/** Bytes a storage holds, for `memory()`: devices keep a float32 per element. */
export function storageBytes(s: Storage): number {
  return isHostArray(s) ? s.byteLength : 4 * s.length;
}
