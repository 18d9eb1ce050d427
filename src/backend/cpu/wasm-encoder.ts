/**
 * Just enough of the WebAssembly binary format to write a one-function module by hand: LEB128
 * numbers, sections, and the opcodes the program compiler (program-wasm.ts) emits. A module is
 * a byte array: the magic number and version, then numbered sections, each its id, its byte
 * length and its contents. No toolchain is involved, so programs compile at run time in a few
 * microseconds, in Node and in browsers alike.
 *
 * The format is specified at https://webassembly.github.io/spec/core/binary/ (SIMD opcodes
 * under "Vector Instructions"); `wasm-objdump -d` or binaryen's `emitText` read the result.
 */

/** Unsigned LEB128: 7 bits a byte, low bits first, the top bit set on all but the last. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const): like uleb, but stops once the sign bit of the last byte is right. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** A vector: its length, then its items. */
export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A name: its UTF-8 length, then its bytes (ASCII here). */
export function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** A section: id, byte length, contents. */
export function section(id: number, contents: number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

export const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;

export const VALTYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;

/** Plain (one-byte) opcodes. */
export const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, br_if: 0x0d, end: 0x0b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_const: 0x41, i32_lt_u: 0x49, i32_gt_u: 0x4b, i32_ge_u: 0x4f, i32_add: 0x6a,
  /** The block type of a block that yields nothing. */
  void: 0x40,
} as const;

/** SIMD opcodes: each is the prefix 0xfd, then this number as a uleb. */
export const SIMD = {
  v128_load: 0x00, v128_load32_splat: 0x09, v128_store: 0x0b, v128_const: 0x0c, f32x4_splat: 0x13,
  f32x4_eq: 0x41, f32x4_ne: 0x42, f32x4_lt: 0x43, f32x4_gt: 0x44, f32x4_le: 0x45, f32x4_ge: 0x46,
  v128_not: 0x4d, v128_and: 0x4e, v128_or: 0x50, v128_bitselect: 0x52,
  f32x4_floor: 0x68,
  f32x4_abs: 0xe0, f32x4_neg: 0xe1, f32x4_sqrt: 0xe3,
  f32x4_add: 0xe4, f32x4_sub: 0xe5, f32x4_mul: 0xe6, f32x4_div: 0xe7, f32x4_min: 0xe8, f32x4_max: 0xe9,
} as const;

export function simd(op: number): number[] {
  return [0xfd, ...uleb(op)];
}

/** v128.const of four equal float32 lanes (the value rounded to float32). */
export function f32x4Const(v: number): number[] {
  const lanes = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
  return [...simd(SIMD.v128_const), ...lanes];
}

/** A memory access's alignment (log2 bytes) and constant offset. */
export function memarg(alignLog2: number, offset: number): number[] {
  return [...uleb(alignLog2), ...uleb(offset)];
}

/**
 * A module of one function, exported as `run`, of type (params) → (), that imports its
 * memory as env.memory. `locals` are the function's locals beyond its parameters, as
 * [count, type] runs; `body` is its code, without the final `end`. With `sharedMemory`, the
 * memory it imports is a shared one of at most 65536 pages, as the GEMM's (gemm-wasm.ts).
 */
export function oneFunctionModule(
  params: number[], locals: [number, number][], body: number[], options: { sharedMemory?: boolean } = {},
): Uint8Array {
  const funcType = [0x60, ...vec(params.map((t) => [t])), ...vec([])];
  // Limits: flag 0 is a minimum only; flag 3 is shared, with a minimum and a maximum.
  const limits = options.sharedMemory ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, ...limits];
  const exportRun = [...name('run'), 0x00, ...uleb(0)];
  const code = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...body, OP.end];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(SECTION.type, vec([funcType])),
    ...section(SECTION.import, vec([memoryImport])),
    ...section(SECTION.function, vec([uleb(0)])),
    ...section(SECTION.export, vec([exportRun])),
    ...section(SECTION.code, vec([[...uleb(code.length), ...code]])),
  ]);
}
