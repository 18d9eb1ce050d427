/**
 * The part of the ONNX protobuf schema (onnx.proto, IR version 7–10) that the exporter writes,
 * as plain TypeScript shapes, and their encoding to protobuf bytes.
 *
 * The wire format itself (varints, ten-byte negative int64s, fixed32 floats, length-delimited
 * fields and nested messages) comes from @bufbuild/protobuf's BinaryWriter, tsgrad's one
 * runtime dependency (it has none itself); this file only states, for each message, which
 * field number carries which value. Field numbers are the ones onnx.proto assigns.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** TensorProto.DataType: the element types tsgrad tensors can have, plus INT64 for shape operands. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values for the attribute kinds the exporter writes. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** A constant tensor: an initializer or the value of a Constant node. */
export interface TensorProto {
  name: string;
  dataType: DataTypeCode;
  dims: readonly number[];
  /** The elements, row-major, as little-endian bytes. */
  rawData: Uint8Array;
}

/** A node attribute; `kind` picks which AttributeProto field holds it. */
export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'tensor'; value: TensorProto };

export interface NodeProto {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, AttributeValue>>;
}

/** One dimension of a declared shape: a size, a named symbol ('batch'), or unknown. */
export type Dim = number | string | null;

export interface ValueInfoProto {
  name: string;
  elemType: DataTypeCode;
  shape: readonly Dim[];
}

export interface GraphProto {
  name: string;
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
  docString?: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion?: string;
  graph: GraphProto;
}

// Each writer appends one message's fields; `fork()`/`join()` frame a nested message.
function message(w: BinaryWriter, field: number, body: (w: BinaryWriter) => void): void {
  w.tag(field, WireType.LengthDelimited).fork();
  body(w);
  w.join();
}

function str(w: BinaryWriter, field: number, value: string | undefined): void {
  if (value) w.tag(field, WireType.LengthDelimited).string(value);
}

function int64(w: BinaryWriter, field: number, value: number): void {
  w.tag(field, WireType.Varint).int64(value);
}

function writeTensor(w: BinaryWriter, t: TensorProto): void {
  // dims is `repeated int64`; onnx.proto (proto2) does not mark it packed, and parsers accept both.
  for (const d of t.dims) int64(w, 1, d);
  w.tag(2, WireType.Varint).int32(t.dataType);
  str(w, 8, t.name);
  w.tag(9, WireType.LengthDelimited).bytes(t.rawData);
}

function writeAttribute(w: BinaryWriter, name: string, a: AttributeValue): void {
  str(w, 1, name);
  switch (a.kind) {
    case 'float': w.tag(2, WireType.Bit32).float(a.value); w.tag(20, WireType.Varint).int32(AttrType.FLOAT); break;
    case 'int': int64(w, 3, a.value); w.tag(20, WireType.Varint).int32(AttrType.INT); break;
    case 'string': w.tag(4, WireType.LengthDelimited).bytes(new TextEncoder().encode(a.value)); w.tag(20, WireType.Varint).int32(AttrType.STRING); break;
    case 'tensor': message(w, 5, (m) => writeTensor(m, a.value)); w.tag(20, WireType.Varint).int32(AttrType.TENSOR); break;
    case 'floats': for (const f of a.value) w.tag(7, WireType.Bit32).float(f); w.tag(20, WireType.Varint).int32(AttrType.FLOATS); break;
    case 'ints': for (const i of a.value) int64(w, 8, i); w.tag(20, WireType.Varint).int32(AttrType.INTS); break;
  }
}

function writeNode(w: BinaryWriter, n: NodeProto): void {
  for (const i of n.inputs) w.tag(1, WireType.LengthDelimited).string(i);
  for (const o of n.outputs) w.tag(2, WireType.LengthDelimited).string(o);
  str(w, 3, n.name);
  str(w, 4, n.opType);
  for (const [name, a] of Object.entries(n.attributes)) message(w, 5, (m) => writeAttribute(m, name, a));
}

function writeValueInfo(w: BinaryWriter, v: ValueInfoProto): void {
  str(w, 1, v.name);
  // TypeProto { tensor_type = 1: TypeProto.Tensor { elem_type = 1, shape = 2: TensorShapeProto { dim = 1 } } }
  message(w, 2, (type) => message(type, 1, (tensor) => {
    tensor.tag(1, WireType.Varint).int32(v.elemType);
    message(tensor, 2, (shape) => {
      for (const d of v.shape) {
        message(shape, 1, (dim) => {
          if (typeof d === 'number') int64(dim, 1, d);
          else if (typeof d === 'string') str(dim, 2, d);
          // null: neither dim_value nor dim_param, which ONNX reads as an unknown size.
        });
      }
    });
  }));
}

function writeGraph(w: BinaryWriter, g: GraphProto): void {
  for (const n of g.nodes) message(w, 1, (m) => writeNode(m, n));
  str(w, 2, g.name);
  for (const t of g.initializers) message(w, 5, (m) => writeTensor(m, t));
  str(w, 10, g.docString);
  for (const v of g.inputs) message(w, 11, (m) => writeValueInfo(m, v));
  for (const v of g.outputs) message(w, 12, (m) => writeValueInfo(m, v));
}

/** The ModelProto as protobuf bytes: what an .onnx file holds. */
export function encodeModel(model: ModelProto): Uint8Array {
  const w = new BinaryWriter();
  int64(w, 1, model.irVersion);
  str(w, 2, model.producerName);
  str(w, 3, model.producerVersion);
  message(w, 7, (m) => writeGraph(m, model.graph));
  for (const o of model.opsetImports) {
    message(w, 8, (m) => {
      str(m, 1, o.domain);
      int64(m, 2, o.version);
    });
  }
  return w.finish();
}

/** Shorthands for node attributes: `{ axis: attr.int(1), epsilon: attr.float(1e-5) }`. */
export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
  tensor: (value: TensorProto): AttributeValue => ({ kind: 'tensor', value }),
};
