/**
 * A second compiler for elementwise programs (../program.ts), beside the JavaScript one in
 * program.ts: a program over float32 tensors, run as a flat loop, is turned at run time into a
 * small WebAssembly module whose loop works on four floats at a time (f32x4 SIMD). V8 runs the
 * JavaScript loops one element at a time (3–12 ns each); the SIMD loop does Adam's update in
 * a fraction of that, even counting the copies in and out of wasm memory.
 *
 * What compiles: numbers, names, + − × ÷, unary −, comparisons, && || !, `c ? a : b`, and the
 * builtins sqrt, abs, floor, max, min, each a single SIMD instruction (comparisons give a
 * mask, ANDed with 1.0 where a value is needed). Everything else (exp, log, tanh, erf, pow,
 * int32 or bool tensors, integer arithmetic) returns null from compileWasmProgram, and the
 * JavaScript loop runs as before.
 *
 * Broadcast operands compile when they are constant along rows of the output: a per-channel
 * value over [N, C, H, W] (BatchNorm's scale, shift and statistics), a per-sample one. The
 * output is then rows of `rowLength` elements (a multiple of 4, so no vector straddles two
 * rows), and each such operand is a table of one value per row (program.ts makes it), which
 * the loop splats once per row: run(bytes, rowBytes, addresses…, tables…, floats…). Before,
 * those programs ran in the strided JavaScript loop. In a ResNet-14 training step (batch 128,
 * examples/cifar10-resnet.ts's model, 2 threads), [128,16,32,32] × [16,1,1] went 8.9 → 2.3–2.6
 * ms a call (what a flat program of that size takes), all elementwise programs 744 → 432 ms a
 * step, and the step 1.32–1.46 → 0.98–1.04 s.
 *
 * Precision: here every operation is rounded to float32, as PyTorch's float32 kernels do; the
 * JavaScript loop computes in float64 and rounds once, when it stores. A program of one
 * operation on float32 values (+ − × ÷ sqrt, and abs floor max min, which are exact) gives
 * bit-identical results either way; longer programs can differ in the last bits, and a JS
 * number that is not a float32 (lr = 0.001) is rounded to float32 before use, so `x * 0.1`
 * is fround(x · fround(0.1)) here and fround(x · 0.1) there. max/min propagate NaN and order
 * −0 below +0, as Math.max/min do.
 *
 * Memory: wasm code can only read its own memory, so each call copies the full-size inputs
 * into one WebAssembly.Memory (this file's, not the GEMM's), one region per input, runs the
 * loop, and copies each output out to the array runProgram chose for it (a new array, or the
 * input itself for an in-place update) — a chunk of CHUNK elements at a time, so the regions
 * stay in the cache and the memory stays small (it grows to the largest set of regions). An
 * output named like a full-size input is written over that input's region: every input of a
 * vector is loaded before any output of it is stored, so this is safe, and it is how
 * `m = beta1 * m + …` reads its old value. Regions are padded to whole vectors; the padding
 * lanes compute garbage that is never copied out.
 *
 * Set TSGRAD_WASM_PROGRAMS=0 to run every program in JavaScript (for A/B comparisons).
 */
import { env } from '#platform';
import { inferTypes, type Expr, type Program, type ValueType } from '../program.ts';
import type { DType } from '../../tensor/dtype.ts';
import { wasmApi, type WasmMemory } from './wasm-module.ts';
import { f32x4Const, memarg, OP, oneFunctionModule, simd, SIMD, sleb, uleb, VALTYPE } from './wasm-encoder.ts';

/**
 * Below this many elements the wasm path does not pay: calling into wasm and the copies cost a
 * fixed ~1 µs, about what the JS loop takes for a few hundred elements. Measured per call of
 * runProgram (which itself costs ~4 µs at any size), median of batches, JS → wasm, µs, on this
 * project's 2-core AMD EPYC machine shared with another job (two runs each):
 *
 *   n     max(x, 0)          dy * (x > 0)       x * y              Adam (4 in, 3 out)
 *   128   6.3→4.8  6.2→5.4   4.6→5.4  4.8→6.2   4.8→5.1  5.2→5.6   10.0→8.1  7.9→8.3
 *   256   5.4→5.3  5.2→5.1   5.4→5.6  5.5→5.2   5.1→5.4  5.1→5.2   12.3→7.2  9.8→7.9
 *   512   7.3→5.6  7.1→5.7   7.3→5.3  7.3→6.1   6.7→6.0  7.2→6.5   13.5→7.6  13.7→7.7
 *   1024  9.0→5.8  8.7→6.1   10.1→6.3 10.6→5.4  9.1→5.6  8.8→5.5   21.0→8.4  19.7→4.6
 *   4096  25.9→9.8 25.8→7.8  44.4→10.5 26.8→6.6 26.5→27.2 19.9→21.5 70.7→19.3 63.7→17.3
 *
 * (x * y at 4096 is the other job's noise: at 8192 it measured 34.7→12.9 and 63.5→14.5.) At 1M
 * elements Adam in place goes from 8.8–9.4 ms to 2.7–3.3 ms.
 */
export const wasmPrograms = {
  /** The smallest n that runs in wasm (tests lower it to run tiny sizes through wasm). */
  minElements: 512,
};

/**
 * Vectors per turn of the loop. The body of an update is a few instructions a vector, so the
 * loop's own (the offset's add, the compare, the branch, an address add per operand) weighed as
 * much: SGD's `p - lr * (g + wd * p)` in a hand-written loop on one thread, 64K / 256K / 1M
 * floats, Mparams/s (two runs): one vector a turn 5 430–6 840 / 5 260–6 280 / 6 160–6 410; two
 * 6 070–6 570 / 5 630–6 640 / 6 280–6 440; four, at constant offsets from one address,
 * 8 560–10 100 / 6 820–9 650 / 8 430–9 160; eight 9 010 / 7 510 / 8 840.
 */
const UNROLL = 4;

/** False when TSGRAD_WASM_PROGRAMS=0 (read on each call, so tests and benchmarks can flip it). */
export function wasmProgramsEnabled(): boolean {
  return env('TSGRAD_WASM_PROGRAMS') !== '0';
}

/** How a tensor argument enters the loop: full-size, one element, or one value per row. */
export type WasmArgKind = 'full' | 'one' | 'row';

/** The rows of a program whose broadcast operands are constant along rows (see the header). */
export interface RowPlan {
  /** Elements per row: a multiple of 4. */
  length: number;
  /** One table per row input (WasmKernel.rowInputs order): the operand's value for each row. */
  tables: Float32Array[];
}

/** A compiled program and how runProgram's arrays map onto its parameters. */
export interface WasmKernel {
  /** The loop on this file's memory: run(bytes, input addresses…, output addresses…, floats…). */
  run: (...args: number[]) => void;
  /** Tensor indices (into runProgram's `ins`) of the full-size inputs: region r holds fullInputs[r]. */
  fullInputs: number[];
  /** Tensor indices of the one-element inputs, passed as float parameters. */
  oneInputs: number[];
  /** Tensor indices of the inputs constant along rows, passed as tables of one float per row (empty: a flat loop). */
  rowInputs: number[];
  /**
   * For each output, the region it is written to in the chunked loop: that of the full-size
   * input it is named like (r < fullInputs.length), else one of its own.
   */
  outputRegions: number[];
  regions: number;
  /** The same loop importing a shared memory (program-shared.ts), and its id among programs. */
  sharedBytes: Uint8Array;
  id: number;
}

let nextId = 1;

const ONE = 1.0;
const MASK_OPS = { '<': SIMD.f32x4_lt, '<=': SIMD.f32x4_le, '>': SIMD.f32x4_gt, '>=': SIMD.f32x4_ge, '==': SIMD.f32x4_eq, '!=': SIMD.f32x4_ne } as const;
const ARITH_OPS = { '+': SIMD.f32x4_add, '-': SIMD.f32x4_sub, '*': SIMD.f32x4_mul, '/': SIMD.f32x4_div } as const;
const CALL_OPS: Partial<Record<string, number>> = {
  sqrt: SIMD.f32x4_sqrt, abs: SIMD.f32x4_abs, floor: SIMD.f32x4_floor, max: SIMD.f32x4_max, min: SIMD.f32x4_min,
};

/** True when every expression of `e` has a SIMD instruction and is float32 (or a 0/1 bool). */
function supported(e: Expr, types: Map<Expr, ValueType>): boolean {
  // An int32 intermediate wraps around in the JS loop (2³¹ + 1); float32 would not.
  if (e.kind !== 'num' && e.kind !== 'var' && types.get(e)!.dtype === 'int32') return false;
  switch (e.kind) {
    case 'num': case 'var': return true;
    case 'unary': return supported(e.arg, types);
    case 'binary': return supported(e.left, types) && supported(e.right, types);
    case 'cond': return supported(e.test, types) && supported(e.then, types) && supported(e.else, types);
    case 'call': return CALL_OPS[e.fn] !== undefined && e.args.every((a) => supported(a, types));
  }
}

/**
 * Code that leaves `e`'s value (one f32x4) on the stack. Bools are 1.0 or 0.0, as in the JS
 * loop, where they are the numbers 1 and 0.
 */
function emitValue(e: Expr, local: (name: string) => number): number[] {
  const go = (x: Expr) => emitValue(x, local);
  switch (e.kind) {
    case 'num': return f32x4Const(e.value);
    case 'var': return [OP.local_get, ...uleb(local(e.name))];
    case 'unary': return e.op === '-' ? [...go(e.arg), ...simd(SIMD.f32x4_neg)] : asNumber(emitMask(e, local));
    case 'cond':
      // bitselect(a, b, mask) takes a's bits where the mask is set, b's elsewhere.
      return [...go(e.then), ...go(e.else), ...emitMask(e.test, local), ...simd(SIMD.v128_bitselect)];
    case 'call': return [...e.args.flatMap(go), ...simd(CALL_OPS[e.fn]!)];
    case 'binary':
      if (e.op in ARITH_OPS) return [...go(e.left), ...go(e.right), ...simd(ARITH_OPS[e.op as keyof typeof ARITH_OPS])];
      return asNumber(emitMask(e, local));
  }
}

/** A mask (all ones where true) made 1.0 / 0.0. */
function asNumber(mask: number[]): number[] {
  return [...mask, ...f32x4Const(ONE), ...simd(SIMD.v128_and)];
}

/** Code that leaves a mask of the lanes where `e` is true (non-zero, NaN included, as in JS) on the stack. */
function emitMask(e: Expr, local: (name: string) => number): number[] {
  if (e.kind === 'binary' && e.op in MASK_OPS) {
    return [...emitValue(e.left, local), ...emitValue(e.right, local), ...simd(MASK_OPS[e.op as keyof typeof MASK_OPS])];
  }
  if (e.kind === 'binary' && (e.op === '&&' || e.op === '||')) {
    return [...emitMask(e.left, local), ...emitMask(e.right, local), ...simd(e.op === '&&' ? SIMD.v128_and : SIMD.v128_or)];
  }
  if (e.kind === 'unary' && e.op === '!') return [...emitMask(e.arg, local), ...simd(SIMD.v128_not)];
  return [...emitValue(e, local), ...f32x4Const(0), ...simd(SIMD.f32x4_ne)];
}

let simdWorks = true;

/**
 * The wasm kernel for `p` with these argument types and kinds (see runProgram), or null when
 * some part of it has no SIMD instruction here (then the JavaScript loop runs).
 */
export function compileWasmProgram(p: Program, types: Record<string, ValueType>, tensorNames: string[], scalarNames: string[],
  kinds: WasmArgKind[], outTypes: Record<string, DType>): WasmKernel | null {
  if (!simdWorks || !wasmApi) return null;
  if (tensorNames.some((t) => types[t].dtype !== 'float32')) return null;
  if (p.outputs.some((o) => outTypes[o] !== 'float32')) return null;
  const exprTypes = inferTypes(p, types);
  if (!p.statements.every((s) => supported(s.expr, exprTypes))) return null;

  const fullInputs = tensorNames.flatMap((_, t) => (kinds[t] === 'full' ? [t] : []));
  const oneInputs = tensorNames.flatMap((_, t) => (kinds[t] === 'one' ? [t] : []));
  const rowInputs = tensorNames.flatMap((_, t) => (kinds[t] === 'row' ? [t] : []));
  const rows = rowInputs.length > 0;
  // An output named like a full-size input is stored over it; the others get regions of their own.
  let regions = fullInputs.length;
  const outputRegions = p.outputs.map((o) => {
    const r = fullInputs.findIndex((t) => tensorNames[t] === o);
    return r >= 0 ? r : regions++;
  });

  // Parameters: the bytes to process (a multiple of 16: whole vectors), each full-size input's
  // address, each output's address, then the one-element inputs and the JS numbers as float32s.
  // An output may have the address of an input (an update in place): every input of a vector
  // is loaded before any output of it is stored. Then locals: the loop's byte offset and one
  // v128 per name. A step loads every full-size input of one vector, runs the lines and stores
  // every output; the loop runs UNROLL steps at a time (at constant offsets from i), then the
  // remaining vectors one at a time:
  //   block loop  (br_if 1 (i + 16·UNROLL > bytes))
  //               step at i, step at i + 16, …  (i += 16·UNROLL)  (br 0)  end end
  //   block loop  (br_if 1 (i >= bytes))  step at i  (i += 16)  (br 0)  end end
  // where a step at i + d is
  //   (local.set v_x (v128.load offset=d (i32.add in_x i)))…  (lines)…  (v128.store offset=d (i32.add out_y i) v_y)…
  // With rows, the second parameter is the bytes of one row, and each row input's table
  // address follows the output addresses (it steps 4 bytes a row); rowEnd is a local, and the
  // two loops run to it.
  const floatNames = [...oneInputs.map((t) => tensorNames[t]), ...scalarNames];
  const addresses = fullInputs.length + p.outputs.length;
  const first = rows ? 2 : 1;
  const params = [VALTYPE.i32, ...(rows ? [VALTYPE.i32] : []), ...Array<number>(addresses + rowInputs.length).fill(VALTYPE.i32),
    ...floatNames.map(() => VALTYPE.f32)];
  const inAddress = (r: number) => first + r;
  const outAddress = (o: number) => first + fullInputs.length + o;
  const tableAddress = (j: number) => first + addresses + j;
  const offset = params.length, rowEnd = offset + 1;
  const names = [...p.inputs, ...p.statements.map((s) => s.name).filter((n) => !p.inputs.includes(n))];
  const uniqueNames = [...new Set(names)];
  const local = (n: string) => offset + 2 + uniqueNames.indexOf(n);

  const body: number[] = [];
  floatNames.forEach((n, j) => body.push(OP.local_get, ...uleb(first + addresses + rowInputs.length + j), ...simd(SIMD.f32x4_splat), OP.local_set, ...uleb(local(n))));
  if (rows) {
    //   loop  (local.set v_t (v128.load32_splat table_t))  (table_t += 4)…  (rowEnd = i + rowBytes)
    //         loop (the flat body, to rowEnd) end  (br_if 0 (i < bytes))  end
    body.push(OP.loop, OP.void);
    rowInputs.forEach((t, j) => body.push(OP.local_get, ...uleb(tableAddress(j)), ...simd(SIMD.v128_load32_splat), ...memarg(2, 0),
      OP.local_set, ...uleb(local(tensorNames[t])),
      OP.local_get, ...uleb(tableAddress(j)), OP.i32_const, ...sleb(4), OP.i32_add, OP.local_set, ...uleb(tableAddress(j))));
    body.push(OP.local_get, ...uleb(offset), OP.local_get, ...uleb(1), OP.i32_add, OP.local_set, ...uleb(rowEnd));
  }
  const end = rows ? rowEnd : 0;
  const address = (param: number) => [OP.local_get, ...uleb(param), OP.local_get, ...uleb(offset), OP.i32_add];
  const step = (d: number) => {
    fullInputs.forEach((t, r) => body.push(...address(inAddress(r)), ...simd(SIMD.v128_load), ...memarg(4, d), OP.local_set, ...uleb(local(tensorNames[t]))));
    for (const s of p.statements) body.push(...emitValue(s.expr, local), OP.local_set, ...uleb(local(s.name)));
    p.outputs.forEach((o, k) => body.push(...address(outAddress(k)), OP.local_get, ...uleb(local(o)), ...simd(SIMD.v128_store), ...memarg(4, d)));
  };
  const advance = (bytes: number) => body.push(OP.local_get, ...uleb(offset), OP.i32_const, ...sleb(bytes), OP.i32_add, OP.local_set, ...uleb(offset));
  body.push(OP.block, OP.void, OP.loop, OP.void,
    OP.local_get, ...uleb(offset), OP.i32_const, ...sleb(16 * UNROLL), OP.i32_add, OP.local_get, ...uleb(end), OP.i32_gt_u, OP.br_if, 1);
  for (let u = 0; u < UNROLL; u++) step(16 * u);
  advance(16 * UNROLL);
  body.push(OP.br, 0, OP.end, OP.end);
  body.push(OP.block, OP.void, OP.loop, OP.void,
    OP.local_get, ...uleb(offset), OP.local_get, ...uleb(end), OP.i32_ge_u, OP.br_if, 1);
  step(0);
  advance(16);
  body.push(OP.br, 0, OP.end, OP.end);
  if (rows) body.push(OP.local_get, ...uleb(offset), OP.local_get, ...uleb(0), OP.i32_lt_u, OP.br_if, 0, OP.end);

  const locals: [number, number][] = [[2, VALTYPE.i32], [uniqueNames.length, VALTYPE.v128]];
  const bytes = oneFunctionModule(params, locals, body);
  try {
    const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory: wasmMemory() } });
    const run = (instance.exports as { run: (...args: number[]) => void }).run;
    const sharedBytes = oneFunctionModule(params, locals, body, { sharedMemory: true });
    return { run, fullInputs, oneInputs, rowInputs, outputRegions, regions, sharedBytes, id: nextId++ };
  } catch (err) {
    // An engine without WebAssembly SIMD: say so once, and stay with JavaScript.
    simdWorks = false;
    console.warn(`tsgrad: WebAssembly SIMD programs unavailable (${String(err)}); elementwise ops run in JavaScript.`);
    return null;
  }
}

const PAGE = 65536;
let memory: WasmMemory | null = null;
let f32: Float32Array = new Float32Array(0);

function wasmMemory(): WasmMemory {
  memory ??= new wasmApi.Memory({ initial: 1, maximum: 65536, shared: false });
  return memory;
}

/** A float32 view of at least `bytes` bytes of the memory, grown if need be (growing detaches the old view). */
function view(bytes: number): Float32Array {
  const mem = wasmMemory();
  if (mem.buffer.byteLength < bytes) mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / PAGE));
  if (f32.buffer !== mem.buffer) f32 = new Float32Array(mem.buffer);
  return f32;
}

/**
 * Elements per call of the loop. Copying a whole 1M-element operand in and out runs at memory
 * speed and doubles the traffic to RAM; a chunk of each operand at a time stays in the L2 cache
 * between the copy in, the loop and the copy out, so RAM sees each array once, as with the JS
 * loop. (Measured on Adam at 1M parameters, 2-core AMD EPYC under load: 4096 slower, 16384 and
 * 32768 alike.)
 */
const CHUNK = 16384;

/**
 * Where region r starts. Large JS arrays start on a 4 KiB page, and a chunk of them on a 64 KiB
 * boundary; a region that did too would have the same low 12 address bits as the array it is
 * copied to, and the CPU stalls each load behind the store it looks like ("4K aliasing"):
 * copying a chunk out of wasm memory measured 14× slower (2.2 ms against 0.15 ms per 1M floats).
 * So regions start half a page off, and 5 cache lines further apart each, so the loop's loads
 * and stores of different regions do not collide either.
 */
function regionBase(r: number, regionBytes: number): number {
  return 2048 + r * (regionBytes + 320);
}

/**
 * Runs `k` on n elements: copies the inputs in, runs the loop, copies each output out into
 * `outs`. A kernel with row inputs needs their tables (`rows`), and then takes whole rows a chunk.
 */
export function runWasmProgram(k: WasmKernel, outs: Float32Array[], ins: Float32Array[], scalars: number[], n: number,
  rows: RowPlan | null = null): void {
  const chunk = rows ? Math.max(1, Math.floor(CHUNK / rows.length)) * rows.length : CHUNK;
  // Regions are whole 64-byte lines, so every vector load is aligned and there is no tail loop.
  const regionBytes = Math.ceil(Math.min(n, chunk) / 16) * 64;
  // The row tables, whole, after the regions.
  const tablesAt = regionBase(k.regions, regionBytes);
  const tableBytes = rows ? Math.ceil(n / rows.length / 16) * 64 : 0;
  const mem = view(tablesAt + k.rowInputs.length * tableBytes);
  rows?.tables.forEach((table, j) => mem.set(table, (tablesAt + j * tableBytes) >> 2));
  const args: number[] = rows ? [0, rows.length * 4] : [0];
  for (let r = 0; r < k.fullInputs.length; r++) args.push(regionBase(r, regionBytes));
  for (const r of k.outputRegions) args.push(regionBase(r, regionBytes));
  const tableArg = args.length;
  for (let j = 0; j < k.rowInputs.length; j++) args.push(0);
  for (const t of k.oneInputs) args.push(ins[t][0]);
  for (const s of scalars) args.push(s);
  for (let start = 0; start < n; start += chunk) {
    const len = Math.min(chunk, n - start);
    for (let r = 0; r < k.fullInputs.length; r++) mem.set(ins[k.fullInputs[r]].subarray(start, start + len), regionBase(r, regionBytes) >> 2);
    args[0] = Math.ceil(len / 4) * 16;
    if (rows) for (let j = 0; j < k.rowInputs.length; j++) args[tableArg + j] = tablesAt + j * tableBytes + (start / rows.length) * 4;
    k.run(...args);
    for (let o = 0; o < outs.length; o++) {
      const at = regionBase(k.outputRegions[o], regionBytes) >> 2;
      outs[o].set(mem.subarray(at, at + len), start);
    }
  }
}
