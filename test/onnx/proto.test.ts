/**
 * The bytes: the protobuf encoding read back field by field, and the ONNX checker's
 * structural rules held against exported models (with the rule checker itself shown to
 * catch each kind of broken graph).
 */
import { describe, expect, it } from 'vitest';
import { randn } from '../../src/tensor/creation.ts';
import { manualSeed } from '../../src/tensor/random.ts';
import { encodeModel, attr, DataType, type ModelProto } from '../../src/onnx/proto.ts';
import { checkerViolations, decodeModel, type DecodedModel } from './helpers/decode.ts';
import * as nn from '../../src/nn/index.ts';
import { exportModel } from '../../src/onnx/export.ts';
import { mnistCnn } from './helpers/models.ts';

const handModel: ModelProto = {
  irVersion: 8,
  opsetImports: [{ domain: '', version: 17 }],
  producerName: 'tsgrad',
  graph: {
    name: 'G',
    nodes: [{
      name: 'n0', opType: 'Custom', inputs: ['x', 'w', ''], outputs: ['y'],
      attributes: {
        i: attr.int(-3), f: attr.float(0.25), s: attr.string('pytorch_half_pixel'), ints: attr.ints([1, -1, 2 ** 40]), floats: attr.floats([0.5, -2]),
        t: attr.tensor({ name: '', dataType: DataType.INT64, dims: [1], rawData: new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]) }),
      },
    }],
    initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [2, 0, 3], rawData: new Uint8Array() }],
    inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 3, null] }],
    outputs: [{ name: 'y', elemType: DataType.BOOL, shape: [] }],
  },
};

describe('onnx protobuf encoding', () => {
  it('writes every field at its onnx.proto number (read back independently)', () => {
    const m = decodeModel(encodeModel(handModel));
    expect(m.irVersion).toBe(8);
    expect(m.producerName).toBe('tsgrad');
    expect(m.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(m.graph.name).toBe('G');
    const [n] = m.graph.nodes;
    expect([n.name, n.opType, n.inputs, n.outputs]).toEqual(['n0', 'Custom', ['x', 'w', ''], ['y']]);
    const a = Object.fromEntries(n.attributes.map((x) => [x.name, x]));
    expect([a.i.type, a.i.i]).toEqual([2, -3]);
    expect([a.f.type, a.f.f]).toEqual([1, 0.25]);
    expect([a.s.type, a.s.s]).toEqual([3, 'pytorch_half_pixel']);
    expect([a.ints.type, a.ints.ints]).toEqual([7, [1, -1, 2 ** 40]]);
    expect([a.floats.type, a.floats.floats]).toEqual([6, [0.5, -2]]);
    expect(a.t.type).toBe(4);
    expect(m.graph.initializers).toEqual([{ name: 'w', dataType: 1, dims: [2, 0, 3], rawData: new Uint8Array() }]);
    expect(m.graph.inputs).toEqual([{ name: 'x', elemType: 1, dims: ['batch', 3, null] }]);
    expect(m.graph.outputs).toEqual([{ name: 'y', elemType: 9, dims: [] }]);
  });
});

describe('ONNX checker rules on exported bytes', () => {
  manualSeed(21);
  const cnn = decodeModel(exportModel(mnistCnn(), randn([2, 1, 28, 28]), { dynamicBatch: true }));

  it('an exported model breaks none of them, with opset 17 and IR version 8 by default', () => {
    expect(checkerViolations(cnn)).toEqual([]);
    expect(cnn.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(cnn.irVersion).toBe(8);
    expect(cnn.producerName).toBe('tsgrad');
    const names = cnn.graph.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the opset asked for is imported, with the IR version it came with', () => {
    const model = new nn.TransformerEncoderLayer(8, 2, 16);
    for (const [opset, ir] of [[13, 7], [17, 8], [18, 8], [20, 9], [21, 10]]) {
      const m = decodeModel(exportModel(model, randn([3, 2, 8]), { opset }));
      expect([m.opsetImports, m.irVersion]).toEqual([[{ domain: '', version: opset }], ir]);
      expect(checkerViolations(m)).toEqual([]);
    }
  });

  it('nodes that nothing reads are left out', () => {
    const ops = cnn.graph.nodes.map((n) => n.opType);
    // Dropout in eval mode is the identity: no node at all.
    expect(ops).not.toContain('Dropout');
    expect(ops).not.toContain('Identity');
  });

  // The rule checker must itself fail on each kind of broken graph, or the test above proves nothing.
  const broken: [string, (m: DecodedModel) => void, RegExp][] = [
    ['nodes out of order', (m) => m.graph.nodes.reverse(), /reads .* before it is defined/],
    ['a value defined twice', (m) => { m.graph.nodes[1].outputs = [...m.graph.nodes[0].outputs]; }, /defined more than once/],
    ['a node name used twice', (m) => { m.graph.nodes[1].name = m.graph.nodes[0].name; }, /node name .* is used twice/],
    ['an output nothing produces', (m) => { m.graph.outputs[0].name = 'nowhere'; }, /graph output "nowhere" is never produced/],
    ['no opset import', (m) => { m.opsetImports = []; }, /no opset_import/],
    ['an initializer whose bytes do not fit its dims', (m) => { m.graph.initializers[0].dims = [1, 2, 3]; }, /holds \d+ bytes for dims \[1,2,3\]/],
  ];
  for (const [what, breakIt, pattern] of broken) {
    it(`the rule checker catches ${what}`, () => {
      const m = structuredClone(cnn);
      breakIt(m);
      expect(checkerViolations(m).join('\n')).toMatch(pattern);
    });
  }
});
