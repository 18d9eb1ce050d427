/**
 * Where a tensor's numbers live. On the cpu backend that is a Float32Array; a gpu backend
 * keeps them on the device (a texture or buffer) and hands back a `DeviceData` that knows how
 * to copy itself to the host. Tensors hold either, so a training step on the gpu never has to
 * round-trip through JavaScript arrays until someone reads `.data`.
 */

/** Numbers held by an accelerator; copied to the host only when read. */
export interface DeviceData {
  /** Number of float32 elements. */
  readonly length: number;
  /** Which backend made it (a backend given another backend's data downloads it first). */
  readonly backend: string;
  /** Copies the values to a new host array. */
  download(): Float32Array;
  /** Frees the device memory early; optional, the garbage collector handles the rest. */
  dispose?(): void;
}

/** A tensor's storage: host memory, or device memory that downloads on demand. */
export type Storage = Float32Array | DeviceData;

/** True when the storage is already a host array. */
export function isHost(s: Storage): s is Float32Array {
  return s instanceof Float32Array;
}

/** The storage's values on the host, downloading device data if need be. */
export function toHost(s: Storage): Float32Array {
  return s instanceof Float32Array ? s : s.download();
}
