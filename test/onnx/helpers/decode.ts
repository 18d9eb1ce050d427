/**
 * Reads exported bytes back into plain objects, and checks them against the rules the ONNX
 * checker applies to a graph. The wire format is read with @bufbuild/protobuf's
 * BinaryReader; the field numbers are onnx.proto's, restated here from the spec rather than
 * imported from the exporter, so a wrong number on either side shows up.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

export interface DecodedAttribute { name: string; type: number; i?: number; f?: number; s?: string; ints: number[]; floats: number[] }
export interface DecodedNode { name: string; opType: string; domain: string; inputs: string[]; outputs: string[]; attributes: DecodedAttribute[] }
export interface DecodedTensor { name: string; dataType: number; dims: number[]; rawData: Uint8Array }
export interface DecodedValueInfo { name: string; elemType: number; dims: (number | string | null)[] }
export interface DecodedModel {
  irVersion: number;
  producerName: string;
  opsetImports: { domain: string; version: number }[];
  graph: { name: string; nodes: DecodedNode[]; initializers: DecodedTensor[]; inputs: DecodedValueInfo[]; outputs: DecodedValueInfo[] };
}

/** Calls `field` for each field of the message in `bytes`. */
function fields(bytes: Uint8Array, field: (no: number, type: WireType, r: BinaryReader) => void): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, type] = r.tag();
    const start = r.pos;
    field(no, type, r);
    if (r.pos === start) r.skip(type, no);
  }
}

const int = (r: BinaryReader) => Number(r.int64());

/** A repeated scalar, packed or not. */
function repeated(type: WireType, r: BinaryReader, one: (r: BinaryReader) => number): number[] {
  if (type !== WireType.LengthDelimited) return [one(r)];
  const inner = new BinaryReader(r.bytes());
  const out: number[] = [];
  while (inner.pos < inner.len) out.push(one(inner));
  return out;
}

function attribute(b: Uint8Array): DecodedAttribute {
  const a: DecodedAttribute = { name: '', type: 0, ints: [], floats: [] };
  fields(b, (no, type, r) => {
    if (no === 1) a.name = r.string();
    else if (no === 20) a.type = r.int32();
    else if (no === 3) a.i = int(r);
    else if (no === 2) a.f = r.float();
    else if (no === 4) a.s = new TextDecoder().decode(r.bytes());
    else if (no === 8) a.ints.push(...repeated(type, r, int));
    else if (no === 7) a.floats.push(...repeated(type, r, (x) => x.float()));
  });
  return a;
}

function node(b: Uint8Array): DecodedNode {
  const n: DecodedNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  fields(b, (no, _type, r) => {
    if (no === 1) n.inputs.push(r.string());
    else if (no === 2) n.outputs.push(r.string());
    else if (no === 3) n.name = r.string();
    else if (no === 4) n.opType = r.string();
    else if (no === 7) n.domain = r.string();
    else if (no === 5) n.attributes.push(attribute(r.bytes()));
  });
  return n;
}

function tensor(b: Uint8Array): DecodedTensor {
  const t: DecodedTensor = { name: '', dataType: 0, dims: [], rawData: new Uint8Array() };
  fields(b, (no, type, r) => {
    if (no === 1) t.dims.push(...repeated(type, r, int));
    else if (no === 2) t.dataType = r.int32();
    else if (no === 8) t.name = r.string();
    else if (no === 9) t.rawData = r.bytes();
  });
  return t;
}

function valueInfo(b: Uint8Array): DecodedValueInfo {
  const v: DecodedValueInfo = { name: '', elemType: 0, dims: [] };
  fields(b, (no, _t, r) => {
    if (no === 1) v.name = r.string();
    else if (no === 2) {
      fields(r.bytes(), (tno, _t2, tr) => {
        if (tno !== 1) return; // tensor_type
        fields(tr.bytes(), (kno, _t3, kr) => {
          if (kno === 1) v.elemType = kr.int32();
          else if (kno === 2) {
            fields(kr.bytes(), (sno, _t4, sr) => {
              if (sno !== 1) return;
              let dim: number | string | null = null;
              fields(sr.bytes(), (dno, _t5, dr) => {
                if (dno === 1) dim = int(dr);
                else if (dno === 2) dim = dr.string();
              });
              v.dims.push(dim);
            });
          }
        });
      });
    }
  });
  return v;
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  const m: DecodedModel = { irVersion: 0, producerName: '', opsetImports: [], graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [] } };
  fields(bytes, (no, _t, r) => {
    if (no === 1) m.irVersion = int(r);
    else if (no === 2) m.producerName = r.string();
    else if (no === 8) {
      const o = { domain: '', version: 0 };
      fields(r.bytes(), (ono, _t2, or) => {
        if (ono === 1) o.domain = or.string();
        else if (ono === 2) o.version = int(or);
      });
      m.opsetImports.push(o);
    } else if (no === 7) {
      fields(r.bytes(), (gno, _t2, gr) => {
        if (gno === 1) m.graph.nodes.push(node(gr.bytes()));
        else if (gno === 2) m.graph.name = gr.string();
        else if (gno === 5) m.graph.initializers.push(tensor(gr.bytes()));
        else if (gno === 11) m.graph.inputs.push(valueInfo(gr.bytes()));
        else if (gno === 12) m.graph.outputs.push(valueInfo(gr.bytes()));
      });
    }
  });
  return m;
}

/**
 * The structural rules of the ONNX checker (onnx/checker.cc, "check_graph"), as a list of
 * violations: an opset import for the default domain and an IR version; every value defined
 * once (inputs, initializers, node outputs: static single assignment); node names unique;
 * every node input defined before the node (topological order) or left empty (an omitted
 * optional input); every graph output defined; typed inputs and outputs.
 */
export function checkerViolations(m: DecodedModel): string[] {
  const problems: string[] = [];
  if (m.irVersion < 3) problems.push(`ir_version ${m.irVersion} is missing or too old`);
  if (!m.opsetImports.some((o) => o.domain === '' && o.version > 0)) problems.push('no opset_import for the default ONNX domain');
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (!name) problems.push(`${what} has an empty name`);
    else if (defined.has(name)) problems.push(`${what} ${JSON.stringify(name)} is defined more than once`);
    defined.add(name);
  };
  for (const i of m.graph.inputs) define(i.name, 'graph input');
  for (const t of m.graph.initializers) {
    define(t.name, 'initializer');
    const count = t.dims.reduce((a, b) => a * b, 1);
    const width = t.dataType === 7 ? 8 : t.dataType === 9 ? 1 : 4;
    if (t.rawData.length !== count * width) problems.push(`initializer ${t.name} holds ${t.rawData.length} bytes for dims [${t.dims}]`);
  }
  const nodeNames = new Set<string>();
  m.graph.nodes.forEach((n, k) => {
    if (!n.opType) problems.push(`node ${k} has no op_type`);
    if (n.name && nodeNames.has(n.name)) problems.push(`node name ${JSON.stringify(n.name)} is used twice`);
    nodeNames.add(n.name);
    for (const i of n.inputs) if (i !== '' && !defined.has(i)) problems.push(`node ${n.name} (${n.opType}) reads ${JSON.stringify(i)} before it is defined`);
    for (const o of n.outputs) define(o, `output of node ${n.name}`);
  });
  for (const o of m.graph.outputs) {
    if (!defined.has(o.name)) problems.push(`graph output ${JSON.stringify(o.name)} is never produced`);
    if (o.elemType === 0) problems.push(`graph output ${o.name} has no element type`);
  }
  for (const i of m.graph.inputs) if (i.elemType === 0) problems.push(`graph input ${i.name} has no element type`);
  return problems;
}
