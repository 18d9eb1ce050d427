/** Safetensors save/load: the file layout (read back independently), PyTorch-style files, and every refusal. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const { nn, io } = tg;
const dir = mkdtempSync(join(tmpdir(), 'tsgrad-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => tg.manualSeed(21));

const makeModel = () => new nn.Sequential(new nn.Dense(3, 4), new nn.ReLU(), new nn.Dense(4, 2));
const snapshot = (m: tg.nn.Module) => m.parameters().map((p) => Array.from(p.data));

/** Builds a safetensors file by hand: header object → padded or unpadded bytes + raw data. */
function buildFile(header: unknown, data: Uint8Array, pad = 0): Buffer {
  const json = Buffer.from(JSON.stringify(header) + ' '.repeat(pad));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}

function f32Bytes(values: number[]): Uint8Array {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

describe('save', () => {
  it('writes a standard safetensors file: LE u64 header length, aligned JSON header, F32 data at data_offsets', () => {
    const m = makeModel();
    const path = join(dir, 'layout.safetensors');
    io.save(m, path, { metadata: { note: 'hello' } });
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    expect(header.__metadata__).toEqual({ note: 'hello' });
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(names.sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    let covered = 0;
    for (const [name, p] of m.namedParameters()) {
      const e = header[name];
      expect(e.dtype).toBe('F32');
      expect(e.shape).toEqual(p.shape);
      const [begin, end] = e.data_offsets;
      expect(end - begin).toBe(p.size * 4);
      covered += end - begin;
      for (let i = 0; i < p.size; i++) expect(bytes.readFloatLE(8 + n + begin + i * 4)).toBe(p.data[i]);
    }
    expect(8 + n + covered).toBe(bytes.length);
  });

  it('round-trips through load into a differently initialised model', () => {
    const a = makeModel(), b = makeModel();
    const path = join(dir, 'roundtrip.safetensors');
    io.save(a, path);
    expect(snapshot(b)).not.toEqual(snapshot(a));
    io.load(b, path);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  it('replaces an existing file atomically and leaves no temporary files behind', () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const path = join(sub, 'model.safetensors');
    io.save(makeModel(), path);
    const second = makeModel();
    io.save(second, path);
    expect(readdirSync(sub)).toEqual(['model.safetensors']);
    const check = makeModel();
    io.load(check, path);
    expect(snapshot(check)).toEqual(snapshot(second));
  });

  it('a failed save leaves the previous file untouched', () => {
    const sub = mkdtempSync(join(dir, 'failed-'));
    const path = join(sub, 'model.safetensors');
    io.save(makeModel(), path);
    const before = readFileSync(path);
    expect(() => io.save(makeModel(), path, { metadata: { epoch: 3 as unknown as string } })).toThrow(/metadata value "epoch" must be a string/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(sub)).toEqual(['model.safetensors']);
    expect(() => io.save(makeModel(), join(sub, 'no-such-dir', 'x.safetensors'))).toThrow();
  });

  it('saveTensors / loadTensors keep scalars, empty tensors and metadata', () => {
    const path = join(dir, 'record.safetensors');
    io.saveTensors({ s: tg.tensor(2.5), e: tg.zeros([0, 3]), m: tg.tensor([[1, 2], [3, 4]]) }, path, { epoch: '7' });
    const { tensors, metadata } = io.loadTensors(path);
    expect(metadata).toEqual({ epoch: '7' });
    expect(tensors.s.shape).toEqual([]);
    expect(tensors.s.item()).toBe(2.5);
    expect(tensors.e.shape).toEqual([0, 3]);
    expect(tensors.m.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(() => io.saveTensors({ __metadata__: tg.zeros([1]) }, path)).toThrow(/reserved/);
  });
});

describe('names and sizes that plain objects and multiplication get wrong', () => {
  it('zero-size tensors survive save and load, alone or beside others', () => {
    const path = join(dir, 'empty.safetensors');
    io.saveTensors({ e: tg.zeros([5, 0]) }, path);
    expect(io.loadTensors(path).tensors.e.shape).toEqual([5, 0]);
    io.saveTensors({ a: tg.zeros([0]), b: tg.zeros([1000000, 0, 7]), c: tg.tensor([1, 2]) }, path);
    const { tensors } = io.loadTensors(path);
    expect(tensors.a.shape).toEqual([0]);
    expect(tensors.b.shape).toEqual([1000000, 0, 7]);
    expect(Array.from(tensors.c.data)).toEqual([1, 2]);
  });

  it('a tensor named __proto__ is kept as a tensor, so io.load refuses it like any extra name', () => {
    const w = f32Bytes([1, 2]);
    const path = join(dir, 'proto.safetensors');
    writeFileSync(path, Buffer.concat([
      (() => { const json = Buffer.from('{"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'); const len = Buffer.alloc(8); len.writeBigUInt64LE(BigInt(json.length)); return Buffer.concat([len, json]); })(),
      w,
    ]));
    const { tensors } = io.loadTensors(path);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    expect(Array.from(tensors['__proto__'].data)).toEqual([1, 2]);
    const m = makeModel();
    const before = snapshot(m);
    expect(() => io.load(m, path)).toThrow(/unexpected: __proto__/);
    expect(snapshot(m)).toEqual(before);
  });

  it('saveTensors writes an own __proto__ key as a tensor that loads back, and refuses the literal form', () => {
    const path = join(dir, 'proto-save.safetensors');
    const record: Record<string, tg.Tensor> = { a: tg.tensor([3]) };
    Object.defineProperty(record, '__proto__', { value: tg.tensor([4, 5]), enumerable: true });
    io.saveTensors(record, path);
    const { tensors } = io.loadTensors(path);
    expect(Object.keys(tensors).sort()).toEqual(['__proto__', 'a']);
    expect(Array.from(tensors['__proto__'].data)).toEqual([4, 5]);
    // a round trip keeps it too
    io.saveTensors(tensors, path);
    expect(Object.keys(io.loadTensors(path).tensors).sort()).toEqual(['__proto__', 'a']);

    const good = readFileSync(path);
    const literal = { __proto__: tg.tensor([1]), b: tg.tensor([2]) } as unknown as Record<string, tg.Tensor>;
    expect(() => io.saveTensors(literal, path)).toThrow(/saveTensors: the tensors object has a Tensor as its prototype/);
    expect(readFileSync(path).equals(good)).toBe(true);
  });

  it('metadata keys named __proto__ are kept as strings', () => {
    const path = join(dir, 'proto-meta.safetensors');
    const meta: Record<string, string> = {};
    Object.defineProperty(meta, '__proto__', { value: 'x', enumerable: true });
    io.saveTensors({ a: tg.tensor([1]) }, path, meta);
    const { metadata } = io.loadTensors(path);
    expect(Object.keys(metadata)).toEqual(['__proto__']);
    expect(metadata['__proto__']).toBe('x');
  });
});

describe('load', () => {
  it('accepts a PyTorch-style file: keys in another order, data in another order, __metadata__, unpadded header', () => {
    const m = makeModel();
    const w0 = Array.from({ length: 12 }, (_, i) => i / 10), b0 = [1, 2, 3, 4];
    const w2 = Array.from({ length: 8 }, (_, i) => -i), b2 = [0.5, -0.5];
    // The safetensors library orders data by dtype then name; here the biases come first.
    const data = Buffer.concat([f32Bytes(b0), f32Bytes(b2), f32Bytes(w0), f32Bytes(w2)]);
    const header = {
      '2.weight': { dtype: 'F32', shape: [2, 4], data_offsets: [72, 104] },
      __metadata__: { format: 'pt' },
      '0.bias': { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      '0.weight': { dtype: 'F32', shape: [4, 3], data_offsets: [24, 72] },
      '2.bias': { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
    };
    const path = join(dir, 'torch.safetensors');
    writeFileSync(path, buildFile(header, data));
    expect(io.load(m, path)).toEqual({ format: 'pt' });
    const sd = m.stateDict();
    expect(Array.from(sd['0.weight'].data)).toEqual(w0.map(Math.fround));
    expect(Array.from(sd['0.bias'].data)).toEqual(b0);
    expect(Array.from(sd['2.weight'].data)).toEqual(w2);
    expect(Array.from(sd['2.bias'].data)).toEqual(b2);
  });

  /** A valid 2-tensor file that the cases below break one way each. */
  const good = () => ({
    header: {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } as Record<string, unknown>,
      b: { dtype: 'F32', shape: [1, 2], data_offsets: [8, 16] } as Record<string, unknown>,
    } as Record<string, unknown>,
    data: f32Bytes([1, 2, 3, 4]),
  });

  const cases: [string, () => Buffer, RegExp][] = [
    ['an empty file', () => Buffer.alloc(0), /0 bytes, too short for the 8-byte header length/],
    ['a file of 5 bytes', () => Buffer.alloc(5), /too short/],
    ['a header length past the end', () => { const f = buildFile(good().header, good().data); f.writeBigUInt64LE(BigInt(f.length)); return f; }, /runs past the end of the file/],
    ['a huge header length', () => { const f = buildFile(good().header, good().data); f.writeBigUInt64LE(2n ** 63n); return f; }, /exceeds the 100000000-byte limit/],
    ['a header that is not JSON', () => { const f = buildFile(good().header, good().data); f[8] = 0x78; return f; }, /header is not valid JSON/],
    ['a header that is not UTF-8', () => { const f = buildFile(good().header, good().data); f[10] = 0xff; return f; }, /not valid UTF-8/],
    ['a header that is an array', () => buildFile([1, 2], Buffer.alloc(0)), /header must be a JSON object/],
    ['an unknown dtype', () => { const g = good(); (g.header.a as Record<string, unknown>).dtype = 'F33'; return buildFile(g.header, g.data); }, /tensor "a": unknown dtype "F33"/],
    ['an unsupported dtype', () => { const g = good(); (g.header.a as Record<string, unknown>).dtype = 'F16'; return buildFile(g.header, g.data); }, /dtype F16 is not supported/],
    ['offsets past the end', () => { const g = good(); g.header.b = { dtype: 'F32', shape: [1, 2], data_offsets: [16, 24] }; return buildFile(g.header, g.data); }, /run past the end of the data \(16 bytes\)/],
    ['overlapping tensors', () => { const g = good(); g.header.b = { dtype: 'F32', shape: [2], data_offsets: [4, 12] }; return buildFile(g.header, Buffer.concat([g.data])); }, /overlaps another tensor/],
    ['a gap between tensors', () => { const g = good(); g.header.b = { dtype: 'F32', shape: [1], data_offsets: [12, 16] }; return buildFile(g.header, g.data); }, /gap in the data before tensor "b"/],
    ['trailing bytes', () => { const g = good(); return buildFile(g.header, Buffer.concat([g.data, Buffer.alloc(4)])); }, /4 trailing bytes/],
    ['a shape that disagrees with the byte span', () => { const g = good(); (g.header.b as Record<string, unknown>).shape = [3]; return buildFile(g.header, g.data); }, /shape \[3\] needs 12 bytes but data_offsets span 8/],
    ['a negative dimension', () => { const g = good(); (g.header.b as Record<string, unknown>).shape = [-2]; return buildFile(g.header, g.data); }, /shape must be an array of non-negative integers/],
    ['a gigantic shape', () => { const g = good(); (g.header.b as Record<string, unknown>).shape = [1e9, 1e9, 1e9]; return buildFile(g.header, g.data); }, /needs more bytes than the file holds/],
    ['missing data_offsets', () => { const g = good(); delete (g.header.b as Record<string, unknown>).data_offsets; return buildFile(g.header, g.data); }, /data_offsets must be \[begin, end\]/],
    ['reversed data_offsets', () => { const g = good(); (g.header.b as Record<string, unknown>).data_offsets = [16, 8]; return buildFile(g.header, g.data); }, /end before they begin/],
    ['an entry that is not an object', () => { const g = good(); g.header.b = 'x'; return buildFile(g.header, g.data); }, /entry must be an object/],
    ['non-string metadata', () => { const g = good(); g.header.__metadata__ = { epoch: 3 }; return buildFile(g.header, g.data); }, /metadata value "epoch" must be a string/],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what} with a clear error`, () => {
      const path = join(dir, 'bad.safetensors');
      writeFileSync(path, make());
      expect(() => io.loadTensors(path)).toThrow(message);
      expect(() => io.loadTensors(path)).toThrow(io.SafetensorsError);
      expect(() => io.loadTensors(path)).toThrow(path);
    });
  }

  it('refuses files whose names or shapes do not match the model, leaving it unchanged', () => {
    const m = makeModel();
    const before = snapshot(m);
    const path = join(dir, 'mismatch.safetensors');
    io.saveTensors({ ...makeModel().stateDict(), extra: tg.zeros([1]) }, path);
    expect(() => io.load(m, path)).toThrow(/does not fit the model: loadStateDict: unexpected: extra/);
    const sd = makeModel().stateDict();
    io.saveTensors({ ...sd, '2.weight': tg.zeros([4, 2]) }, path);
    expect(() => io.load(m, path)).toThrow(/2\.weight has shape \[4,2\], the model needs \[2,4\]/);
    delete sd['0.bias'];
    io.saveTensors(sd, path);
    expect(() => io.load(m, path)).toThrow(nn.StateDictError);
    expect(snapshot(m)).toEqual(before);
  });

  it('reports a missing file', () => {
    expect(() => io.load(makeModel(), join(dir, 'nope.safetensors'))).toThrow(/ENOENT/);
  });
});
