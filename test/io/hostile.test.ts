/**
 * Hostile safetensors files: refused with a SafetensorsError in bounded time and memory.
 *
 * The bounds the reader enforces (src/io/safetensors.ts):
 *  - a header of at most maxHeaderBytes (default 100 MB), nested at most 3 deep, with at
 *    most maxEntries (default 65,536) tensors and as many metadata keys, checked by one
 *    pass over the raw bytes that stops at the first excess — so refusing costs time
 *    linear in the bytes before that point and no memory beyond the file itself;
 *  - a header within the bounds is parsed (≤ 4·maxEntries + 1 JSON members) and the
 *    tensors copied once: memory ≤ 2 × the file + the parsed header.
 * Work is measured by where the scan stopped (the message names the byte) and by heap
 * growth; the wall-clock limits are generous guards against a hang, not measurements.
 */
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, DEFAULT_MAX_ENTRIES } from '../../src/io/safetensors.ts';
import { SafetensorsError } from '../../src/io/errors.ts';

/** Header bytes (given as text or raw bytes) behind their 8-byte length, plus `data`. */
function file(header: string | Uint8Array, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = typeof header === 'string' ? Buffer.from(header) : header;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** `{"__metadata__":{"k0000000":"v","k0000001":"v",...}}` with `keys` distinct keys, written straight into bytes. */
function manyMetadataKeys(keys: number): Uint8Array {
  const head = Buffer.from('{"__metadata__":{');
  const member = 14; // "k0000000":"v",
  const out = Buffer.alloc(head.length + keys * member + 1);
  head.copy(out);
  let at = head.length;
  for (let i = 0; i < keys; i++) {
    out.write(`"k${i.toString(36).padStart(7, '0')}":"v"${i + 1 < keys ? ',' : '}'}`, at, 'latin1');
    at += member;
  }
  out[at - 1] = 0x7d; // the last member has no comma: close the metadata object
  out[at] = 0x7d; // and the header
  return out;
}

function refusal(bytes: Uint8Array): { error: unknown; heapGrowth: number; ms: number } {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  let error: unknown = null;
  try {
    decodeSafetensors(bytes, 'hostile.safetensors');
  } catch (err) {
    error = err;
  }
  return { error, heapGrowth: process.memoryUsage().heapUsed - heapBefore, ms: performance.now() - started };
}

const MB = 2 ** 20;

describe('hostile safetensors headers', () => {
  it('a 92 MB header with 6.6 million metadata keys is refused after reading its first megabyte', () => {
    const bytes = file(manyMetadataKeys(6_600_000));
    expect(bytes.length).toBeGreaterThan(90e6);
    const { error, heapGrowth, ms } = refusal(bytes);
    expect(error).toBeInstanceOf(SafetensorsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^hostile\.safetensors: header holds more than 65536 tensors or metadata keys \(stopped at header byte (\d+)\)/);
    const stoppedAt = Number(/header byte (\d+)/.exec(message)![1]);
    expect(stoppedAt).toBeLessThan(1 * MB); // 65,537 members of 14 bytes
    expect(heapGrowth).toBeLessThan(32 * MB); // nothing was decoded or parsed
    expect(ms).toBeLessThan(20_000);
  });

  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const crafted: [string, string][] = [
    ['a shape nested 200,000 deep', `{"a":{"dtype":"F32","shape":${deep(200_000)},"data_offsets":[0,0]}}`],
    ['data_offsets nested 200,000 deep', `{"a":{"dtype":"F32","shape":[0],"data_offsets":${deep(200_000)}}}`],
    ['metadata nested 200,000 deep', `{"__metadata__":{"k":${deep(200_000)}}}`],
    ['an object nested 200,000 deep', `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`],
  ];
  for (const [what, header] of crafted) {
    it(`${what} is refused as too deep, not with a stack overflow`, () => {
      const { error } = refusal(file(header));
      expect(error).toBeInstanceOf(SafetensorsError);
      expect((error as Error).message).toMatch(/header nests deeper than 3 levels \(stopped at header byte \d+\)/);
    });
  }

  it('a shape of 5 million dimensions is refused with a message of bounded length', () => {
    const header = `{"a":{"dtype":"F32","shape":[${new Array(5_000_000).fill(2).join(',')}],"data_offsets":[0,4]}}`;
    const { error } = refusal(file(header, new Uint8Array(4)));
    expect(error).toBeInstanceOf(SafetensorsError);
    expect((error as Error).message).toMatch(/shape \[2,2,2,2,2,2,2,2,… \(5000000 items\)\] needs more bytes than the file holds/);
    expect((error as Error).message.length).toBeLessThan(300);
  });

  it('maxEntries is exact: 65,536 tensors load, 65,537 are refused; the limit can be raised for trusted files', () => {
    const tensors = (n: number) => `{${Array.from({ length: n }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`;
    expect(Object.keys(decodeSafetensors(file(tensors(DEFAULT_MAX_ENTRIES))).tensors).length).toBe(DEFAULT_MAX_ENTRIES);
    const over = file(tensors(DEFAULT_MAX_ENTRIES + 1));
    expect(() => decodeSafetensors(over)).toThrow(/more than 65536 tensors or metadata keys/);
    expect(Object.keys(decodeSafetensors(over, 'trusted', { maxEntries: 70_000 }).tensors).length).toBe(DEFAULT_MAX_ENTRIES + 1);
  });

  it('metadata keys are bounded like tensors, and so is the header size', () => {
    const keys = (n: number) => `{"__metadata__":{${Array.from({ length: n }, (_, i) => `"k${i}":"v"`).join(',')}}}`;
    expect(Object.keys(decodeSafetensors(file(keys(10))).metadata).length).toBe(10);
    expect(() => decodeSafetensors(file(keys(10)), 'small', { maxEntries: 9 })).toThrow(/small: "__metadata__" holds 10 keys, more than the 9 allowed/);
    expect(() => decodeSafetensors(file(keys(11)), 'small', { maxEntries: 9 })).toThrow(/small: header holds more than 9 tensors or metadata keys/);
    expect(() => decodeSafetensors(file(keys(10)), 'small', { maxHeaderBytes: 50 })).toThrow(/header length 1\d\d exceeds the 50-byte limit/);
    expect(() => decodeSafetensors(file(keys(1)), 'small', { maxEntries: 0 })).toThrow(/maxEntries must be an integer in \[1, 2\^50\], got 0/);
  });

  it('quotes and escapes inside names do not fool the scan', () => {
    // Brackets, braces and colons inside strings are not structure; an escaped quote does not end a string.
    const name = 'a[[[[{{{{::::\\"]]]]}}}}';
    const bytes = file(`{"${name}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"x\\\\":"[{:"}}`, new Uint8Array(4));
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(['a[[[[{{{{::::"]]]]}}}}']);
    expect(metadata).toEqual({ 'x\\': '[{:' });
  });
});
