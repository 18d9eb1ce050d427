/**
 * The protobuf wire format, as much of it as an ONNX file needs: varints (int32, int64 and
 * enums, negatives as ten-byte two's complement), 32-bit floats, and length-delimited fields
 * (strings, bytes, packed nothing, nested messages). Written here rather than taken from a
 * protobuf library so that tsgrad keeps no runtime dependency (the package installs alone
 * and loads in a page from a plain import map); the tests read the bytes back with
 * @bufbuild/protobuf's reader, an independent implementation.
 *
 * Spec: https://protobuf.dev/programming-guides/encoding/
 */

/** How a field's value is laid out on the wire (the low three bits of its tag). */
export const WireType = { Varint: 0, Bit32: 5, LengthDelimited: 2 } as const;
export type WireTypeCode = (typeof WireType)[keyof typeof WireType];

const utf8 = new TextEncoder();

/** One message being written: its bytes so far, in chunks. */
interface Frame {
  chunks: Uint8Array[];
  length: number;
  /** Small writes gather here before they become a chunk. */
  pending: number[];
}

const newFrame = (): Frame => ({ chunks: [], length: 0, pending: [] });

export class ProtoWriter {
  private frames: Frame[] = [newFrame()];

  private get top(): Frame {
    return this.frames[this.frames.length - 1];
  }

  private flush(f: Frame): void {
    if (f.pending.length === 0) return;
    f.chunks.push(Uint8Array.from(f.pending));
    f.length += f.pending.length;
    f.pending = [];
  }

  private byte(b: number): void {
    this.top.pending.push(b);
  }

  private raw(bytes: Uint8Array): void {
    const f = this.top;
    this.flush(f);
    f.chunks.push(bytes);
    f.length += bytes.length;
  }

  /** An unsigned varint of a non-negative safe integer. */
  private varint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  /** A field's key: its number and wire type. */
  tag(field: number, type: WireTypeCode): this {
    this.varint(field * 8 + type);
    return this;
  }

  /**
   * An int64 (or int32, or enum) varint. Negative values are written as their 64-bit two's
   * complement, ten bytes, as protobuf requires for both types.
   */
  int64(v: number): this {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not a safe integer`);
    if (v >= 0) {
      this.varint(v);
      return this;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    for (let i = 0; i < 9; i++) {
      this.byte(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.byte(Number(u));
    return this;
  }

  int32(v: number): this {
    return this.int64(v);
  }

  /** A 32-bit IEEE float, little-endian. */
  float(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.byte(x);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.raw(b);
    return this;
  }

  string(s: string): this {
    return this.bytes(utf8.encode(s));
  }

  /** Starts a nested message; `join` ends it and writes it, length first. */
  fork(): this {
    this.frames.push(newFrame());
    return this;
  }

  join(): this {
    if (this.frames.length < 2) throw new Error('protobuf: join without fork');
    const inner = this.frames.pop()!;
    this.flush(inner);
    this.varint(inner.length);
    const f = this.top;
    this.flush(f);
    f.chunks.push(...inner.chunks);
    f.length += inner.length;
    return this;
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    if (this.frames.length !== 1) throw new Error('protobuf: finish inside an unjoined fork');
    const f = this.top;
    this.flush(f);
    const out = new Uint8Array(f.length);
    let at = 0;
    for (const c of f.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
