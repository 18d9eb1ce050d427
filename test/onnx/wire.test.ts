/**
 * The hand-written protobuf writer against @bufbuild/protobuf, an independent implementation
 * of the same wire format: the same calls must give the same bytes, and its reader must read
 * back every value.
 */
import { describe, expect, it } from 'vitest';
import { BinaryReader, BinaryWriter, WireType as BufWireType } from '@bufbuild/protobuf/wire';
import { ProtoWriter, WireType } from '../../src/onnx/wire.ts';

const INTS = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31 - 1, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER, -1, -3, -128, -(2 ** 31), -(2 ** 40), Number.MIN_SAFE_INTEGER];
const FLOATS = [0, -0, 0.25, -2, 1e-30, 3.4e38, Infinity, -Infinity, 0.1];
const STRINGS = ['', 'input', '/encoder.0/Gemm_output_0', 'ünïcødé → ∞', 'x'.repeat(300)];

/** The same sequence of writes on either writer: every kind of value, nested three deep, and a 1 MB bytes field. */
function write<W extends { tag(f: number, t: never): W; int64(v: number): W; int32(v: number): W; float(v: number): W; string(s: string): W; bytes(b: Uint8Array): W; fork(): W; join(): W }>(
  w: W, types: { Varint: number; Bit32: number; LengthDelimited: number }, big: Uint8Array,
): void {
  const t = (f: number, k: number) => w.tag(f, k as never);
  for (const v of INTS) t(1, types.Varint).int64(v);
  t(2, types.Varint).int32(-7);
  for (const f of FLOATS) t(3, types.Bit32).float(f);
  for (const s of STRINGS) t(4, types.LengthDelimited).string(s);
  t(5, types.LengthDelimited).fork();
  t(1, types.Varint).int64(42);
  t(2, types.LengthDelimited).fork();
  t(1, types.LengthDelimited).string('deep');
  t(2, types.LengthDelimited).fork().join();
  w.join();
  t(3, types.LengthDelimited).bytes(big);
  w.join();
  t(6, types.LengthDelimited).bytes(new Uint8Array());
}

describe('protobuf wire writer', () => {
  const big = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 255);
  const mine = new ProtoWriter();
  write(mine, WireType, big);
  const bytes = mine.finish();

  it('writes exactly the bytes @bufbuild/protobuf writes for the same fields', () => {
    const theirs = new BinaryWriter();
    write(theirs as never, BufWireType, big);
    expect(Buffer.from(bytes).equals(Buffer.from(theirs.finish()))).toBe(true);
  });

  it('reads back, field by field, with @bufbuild/protobuf\'s reader', () => {
    const r = new BinaryReader(bytes);
    const next = (no: number, type: BufWireType) => expect(r.tag()).toEqual([no, type]);
    for (const v of INTS) { next(1, BufWireType.Varint); expect(Number(r.int64())).toBe(v); }
    next(2, BufWireType.Varint); expect(r.int32()).toBe(-7);
    for (const f of FLOATS) { next(3, BufWireType.Bit32); expect(r.float()).toBe(Math.fround(f)); }
    for (const s of STRINGS) { next(4, BufWireType.LengthDelimited); expect(r.string()).toBe(s); }
    next(5, BufWireType.LengthDelimited);
    const inner = new BinaryReader(r.bytes());
    expect(inner.tag()).toEqual([1, BufWireType.Varint]); expect(inner.int64()).toBe(42n);
    expect(inner.tag()).toEqual([2, BufWireType.LengthDelimited]);
    const deep = new BinaryReader(inner.bytes());
    expect(deep.tag()).toEqual([1, BufWireType.LengthDelimited]); expect(deep.string()).toBe('deep');
    expect(deep.tag()).toEqual([2, BufWireType.LengthDelimited]); expect(deep.bytes()).toEqual(new Uint8Array());
    expect(inner.tag()).toEqual([3, BufWireType.LengthDelimited]);
    expect(Buffer.from(inner.bytes()).equals(Buffer.from(big))).toBe(true);
    next(6, BufWireType.LengthDelimited); expect(r.bytes().length).toBe(0);
    expect(r.pos).toBe(r.len);
  });

  it('refuses what it cannot write exactly, and unbalanced nesting', () => {
    expect(() => new ProtoWriter().int64(2 ** 53)).toThrow(/not a safe integer/);
    expect(() => new ProtoWriter().int64(0.5)).toThrow(/not a safe integer/);
    expect(() => new ProtoWriter().join()).toThrow(/join without fork/);
    expect(() => new ProtoWriter().fork().finish()).toThrow(/unjoined fork/);
  });
});
