/**
 * What the exporter needs to know about a tsgrad tensor: its element type in ONNX terms, its
 * values as little-endian bytes, and a copy with one more row along a dimension.
 *
 * Kept in one file because it is the exporter's only contact with how tensors store their
 * values.
 */
import { Tensor } from '../tensor/tensor.ts';
import type { DType } from '../tensor/dtype.ts';
import { DataType, type DataTypeCode } from './proto.ts';

export type { DType };

export function dtypeOf(t: Tensor): DType {
  return t.dtype;
}

export function onnxType(dtype: DType): DataTypeCode {
  return dtype === 'float32' ? DataType.FLOAT : dtype === 'int32' ? DataType.INT32 : DataType.BOOL;
}

const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The elements as ONNX raw_data: little-endian, bools as one byte each. */
export function rawBytes(data: ArrayLike<number>, dtype: DType | 'int64'): Uint8Array {
  const n = data.length;
  if (dtype === 'bool') return Uint8Array.from({ length: n }, (_, i) => (data[i] ? 1 : 0));
  const width = dtype === 'int64' ? 8 : 4;
  // A typed array of the same kind already holds the bytes; anything else is converted.
  if (hostIsLittleEndian && ((dtype === 'float32' && data instanceof Float32Array) || (dtype === 'int32' && data instanceof Int32Array))) {
    return new Uint8Array(data.buffer, data.byteOffset, n * width).slice();
  }
  const out = new DataView(new ArrayBuffer(n * width));
  for (let i = 0; i < n; i++) {
    if (dtype === 'float32') out.setFloat32(i * 4, data[i], true);
    else if (dtype === 'int32') out.setInt32(i * 4, data[i], true);
    else out.setBigInt64(i * 8, BigInt(data[i]), true);
  }
  return new Uint8Array(out.buffer);
}

/**
 * x with its first slice along `dim` appended, so the batch grows by one. Exporting with a
 * dynamic batch runs the model on this too, to learn which sizes follow the batch.
 */
export function growAlong(x: Tensor, dim: number): Tensor {
  const shape = [...x.shape];
  const outer = shape.slice(0, dim).reduce((a, b) => a * b, 1);
  const inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const n = shape[dim];
  const src = x.data;
  const out = new (src.constructor as new (length: number) => typeof src)(outer * (n + 1) * inner);
  for (let o = 0; o < outer; o++) {
    out.set(src.subarray(o * n * inner, (o + 1) * n * inner), o * (n + 1) * inner);
    out.set(src.subarray(o * n * inner, o * n * inner + inner), (o * (n + 1) + n) * inner);
  }
  shape[dim] = n + 1;
  return new Tensor(out, shape, { dtype: x.dtype });
}
