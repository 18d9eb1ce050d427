/**
 * The cpu backend's compiler for elementwise programs (../program.ts): each program becomes a
 * JavaScript loop, built once per program and argument types with `new Function` and cached,
 * so V8 optimizes it like a hand-written loop. Arithmetic runs in float64 and each result is
 * rounded once when stored, so a single op gives exactly float32's correctly rounded answer.
 *
 * Two loop shapes: a flat one when every tensor argument is the full output size or a single
 * element (the common case: same-shape operands, scalars), and a strided one that walks the
 * coalesced output dimensions with one offset per argument (broadcasting).
 *
 * A float32 program of 512 elements or more whose constructs all have SIMD instructions runs in
 * WebAssembly instead (program-wasm.ts), rounding each operation to float32: a flat one, and a
 * broadcasting one whose broadcast operands are constant along rows of 4k elements (rowPlan).
 */
import { argTypes, inferTypes, outputTypes, typeSignature, type Builtin, type Expr, type Program, type ProgramArgs, type ValueType } from '../program.ts';
import { coalesce, broadcastStrides } from '../plan.ts';
import { newArrayUnfilled, type DType, type HostArray } from '../../tensor/dtype.ts';
import { sizeOf, type Shape } from '../../tensor/shape.ts';
import { isHost, type Storage } from '../../tensor/storage.ts';
import { odometer } from './movement.ts';
import { runSharedProgram } from './program-shared.ts';
import { compileWasmProgram, runWasmProgram, wasmPrograms, wasmProgramsEnabled, type RowPlan, type WasmArgKind, type WasmKernel } from './program-wasm.ts';

/** JavaScript for each builtin, given its arguments' code. */
const BUILTIN_JS: Record<Builtin, (a: string[]) => string> = {
  exp: ([x]) => `Math.exp(${x})`,
  log: ([x]) => `Math.log(${x})`,
  log1p: ([x]) => `Math.log1p(${x})`,
  sqrt: ([x]) => `Math.sqrt(${x})`,
  sin: ([x]) => `Math.sin(${x})`,
  cos: ([x]) => `Math.cos(${x})`,
  tanh: ([x]) => `Math.tanh(${x})`,
  erf: ([x]) => `erf(${x})`,
  pow: ([x, y]) => `Math.pow(${x}, ${y})`,
  abs: ([x]) => `Math.abs(${x})`,
  sign: ([x]) => `Math.sign(${x})`,
  floor: ([x]) => `Math.floor(${x})`,
  // Math.max/min propagate NaN, as torch.maximum/minimum do.
  max: ([x, y]) => (y === '(0)' ? `relu0(${x})` : x === '(0)' ? `relu0(${y})` : `Math.max(${x}, ${y})`),
  min: ([x, y]) => `Math.min(${x}, ${y})`,
  isnan: ([x]) => `(${x} !== ${x} ? 1 : 0)`,
  int: ([x]) => `Math.trunc(${x})`,
  float: ([x]) => x,
};

/**
 * erf(x) to float32 accuracy: W. J. Cody's rational approximations as rearranged in
 * Numerical Recipes (erfc via a Chebyshev fit, relative error below 1.2e-7 everywhere).
 * Below |x| = 0.5, 1 − erfc(x) would cancel (erf(0) came out −3e-8, erf(1e-6) 10% off), so
 * the Maclaurin series is used there: 8 terms leave an error below 1e-9 of the result.
 */
function erf(x: number): number {
  const z = Math.abs(x);
  if (z < 0.5) {
    const q = x * x;
    return 1.1283791670955126 * x * (1 + q * (-1 / 3 + q * (1 / 10 + q * (-1 / 42 + q * (1 / 216 + q * (-1 / 1320 + q * (1 / 9360 + q * (-1 / 75600))))))));
  }
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

/**
 * max(x, 0) without a data-dependent branch (Math.max branches, and on a layer's activations
 * mispredicts half the time: 2.9 ms against 1.0 ms on 295k random floats). x·[x > 0] is x or
 * ±0, and + 0 makes −0 into 0; NaN stays NaN. Only −∞ needs the branch (−∞·0 is NaN), and
 * that one is predicted. Small enough for V8 to inline into the loop.
 */
function relu0(x: number): number {
  return x === -Infinity ? 0 : x * +(x > 0) + 0;
}

function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return `(${v})`;
}

/** JavaScript for an expression: numbers throughout (a comparison gives 1 or 0), int32 arithmetic wrapped. */
function emit(e: Expr, types: Map<Expr, ValueType>, name: (v: string) => string): string {
  const go = (x: Expr) => emit(x, types, name);
  const isInt = types.get(e)!.dtype === 'int32';
  switch (e.kind) {
    case 'num': return literal(e.value);
    case 'var': return name(e.name);
    case 'unary': return e.op === '-' ? `(-${go(e.arg)})` : `(${go(e.arg)} === 0 ? 1 : 0)`;
    case 'cond': return `(${go(e.test)} !== 0 ? ${go(e.then)} : ${go(e.else)})`;
    case 'call': return BUILTIN_JS[e.fn](e.args.map(go));
    case 'binary': {
      const a = go(e.left), b = go(e.right);
      switch (e.op) {
        case '&&': return `(${a} !== 0 && ${b} !== 0 ? 1 : 0)`;
        case '||': return `(${a} !== 0 || ${b} !== 0 ? 1 : 0)`;
        case '==': return `(${a} === ${b} ? 1 : 0)`;
        case '!=': return `(${a} !== ${b} ? 1 : 0)`;
        // +(a < b), not (a < b ? 1 : 0): V8 compiles the conversion without a branch, and a
        // comparison on data (ReLU's derivative, a mask) is a coin toss the CPU mispredicts
        // half the time: measured 2.7 ms against 1.1 ms on 295k random floats.
        case '<': case '<=': case '>': case '>=': return `(+(${a} ${e.op} ${b}))`;
        case '*': return isInt ? `Math.imul(${a}, ${b})` : `(${a} * ${b})`;
        default: return isInt ? `((${a} ${e.op} ${b}) | 0)` : `(${a} ${e.op} ${b})`;
      }
    }
  }
}

type Kernel = (outs: HostArray[], ins: HostArray[], scalars: number[], plan: LoopPlan) => void;

interface LoopPlan {
  n: number;
  shape: number[];
  strides: number[][];
}

const kernels = new Map<string, Kernel>();

/**
 * Builds the loop. Inputs are read into locals at the top of each iteration and outputs
 * stored at the bottom, so an output written into its own input (an in-place update)
 * never disturbs a value the iteration still needs.
 */
function compile(p: Program, types: Record<string, ValueType>, tensorNames: string[], scalarNames: string[], flatKinds: ('full' | 'one')[] | null, aliases: number[]): Kernel {
  const exprTypes = inferTypes(p, types);
  const local = (v: string) => `v_${v}`;
  const body: string[] = [];
  const declared = new Set<string>();
  for (const s of p.statements) {
    const code = emit(s.expr, exprTypes, local);
    if (s.kind === 'let' || !declared.has(s.name) && !p.inputs.includes(s.name)) {
      body.push(`let ${local(s.name)} = ${code};`);
      declared.add(s.name);
    } else {
      body.push(`${local(s.name)} = ${code};`);
    }
  }
  const head: string[] = [];
  head.push(`const [${p.outputs.map((_, k) => `o${k}`).join(', ')}] = outs;`);
  if (tensorNames.length) head.push(`const [${tensorNames.map((_, k) => `i${k}`).join(', ')}] = ins;`);
  if (scalarNames.length) head.push(`const [${scalarNames.map(local).join(', ')}] = scalars;`);
  // An output written over a full-size input (in place) is stored through that input's
  // variable: V8 then checks the bounds of, and loads the data pointer of, one array instead of
  // two (measured: Adam's update 10–20% less CPU time per element).
  const target = (k: number) => (aliases[k] >= 0 ? `i${aliases[k]}` : `o${k}`);
  const store = (idx: string) => p.outputs.map((o, k) => `${target(k)}[${idx}] = ${local(o)};`).join(' ');
  let loop: string;
  if (flatKinds) {
    // A one-element argument is read once, outside the loop.
    const oneReads = tensorNames.map((_, k) => (flatKinds[k] === 'one' ? `const c${k} = i${k}[0];` : '')).join(' ');
    const reads = tensorNames.map((t, k) => `let ${local(t)} = ${flatKinds[k] === 'one' ? `c${k}` : `i${k}[i]`};`).join(' ');
    // The loop bound is the length of a full-size array (all have n elements), which lets V8
    // drop that array's bounds checks.
    const full = flatKinds.indexOf('full');
    const bound = aliases.some((a) => a >= 0) ? `i${aliases.find((a) => a >= 0)}.length` : full >= 0 ? `i${full}.length` : 'plan.n';
    loop = `${oneReads}\nconst n = ${bound};\nfor (let i = 0; i < n; i++) {\n${reads}\n${body.join('\n')}\n${store('i')}\n}`;
  } else {
    // Odometer over all but the innermost dimension; the innermost is a plain loop.
    const offs = tensorNames.map((_, k) => `f${k}`);
    loop = [
      'const { n, shape, strides } = plan; const nd = shape.length; const last = nd - 1; const inner = shape[last];',
      ...tensorNames.map((_, k) => `const s${k} = strides[${k}], s${k}L = s${k}[last]; let f${k} = 0;`),
      'const idx = new Int32Array(nd);',
      'for (let base = 0; base < n; base += inner) {',
      'for (let j = 0; j < inner; j++) {',
      tensorNames.map((t, k) => `let ${local(t)} = i${k}[f${k} + j * s${k}L];`).join(' '),
      body.join('\n'),
      store('base + j'),
      '}',
      'for (let d = last - 1; d >= 0; d--) {',
      `idx[d]++; ${offs.map((f, k) => `${f} += s${k}[d];`).join(' ')}`,
      'if (idx[d] < shape[d]) break;',
      `${offs.map((f, k) => `${f} -= s${k}[d] * shape[d];`).join(' ')} idx[d] = 0;`,
      '}',
      '}',
    ].join('\n');
  }
  const src = `${head.join('\n')}\n${loop}`;
  // Named after the program, so a CPU profile tells the kernels apart.
  const fname = `program_${p.source.trim().replace(/[^A-Za-z0-9]+/g, '_').slice(0, 40)}`;
  return new Function('erf', 'relu0', `return function ${fname}(outs, ins, scalars, plan) {\n${src}\n};`)(erf, relu0) as Kernel;
}

interface Compiled {
  /** The loop, per way the outputs alias inputs (see `aliasesOf`). */
  kernels: Map<string, Kernel>;
  outTypes: Record<string, DType>;
  flat: boolean;
  /** What compile() needs besides the aliases. */
  types: Record<string, ValueType>;
  tensorNames: string[];
  scalarNames: string[];
  kinds: ('full' | 'one')[];
  /** Each tensor's kind in the SIMD kernel: broadcast operands ('s') are one value per row. */
  wasmKinds: WasmArgKind[];
  /** The SIMD kernel (program-wasm.ts): undefined until first wanted, null where the program has none. */
  wasm?: WasmKernel | null;
}

const compiledByProgram = new WeakMap<Program, Map<string, Compiled>>();

/** Runs `p` (see Backend.elementwise). Tensor arguments must be host arrays. */
export function runProgram(p: Program, args: ProgramArgs<Storage>, outShape: Shape, inPlace: boolean): Record<string, HostArray> {
  const n = sizeOf(outShape);
  // One pass over the arguments gathers them and the key of the compiled loop: each tensor's
  // dtype and whether it is full-size ('f'), a single element ('o') or broadcast ('s').
  const ins: HostArray[] = [];
  const scalars: number[] = [];
  let key = typeSignature(p, args);
  let flat = true;
  for (const name of p.inputs) {
    const a = args[name];
    if (typeof a === 'number') { scalars.push(a); continue; }
    if (!isHost(a.storage)) throw new Error(`elementwise: '${name}' is not a host array (cpu backend)`);
    ins.push(a.storage);
    const size = a.storage.length;
    const kind = size === n && sameTail(a.shape, outShape) ? 'f' : size === 1 ? 'o' : 's';
    if (kind === 's') flat = false;
    key += kind;
  }
  const tensorKinds = key.slice(key.length - ins.length);
  let bySig = compiledByProgram.get(p);
  if (!bySig) { bySig = new Map(); compiledByProgram.set(p, bySig); }
  let compiled = bySig.get(key);
  if (!compiled) {
    const types = argTypes(args);
    const tensorNames = p.inputs.filter((t) => typeof args[t] !== 'number');
    const scalarNames = p.inputs.filter((t) => typeof args[t] === 'number');
    const kinds = tensorNames.map((t) => (sizeOf((args[t] as { shape: Shape }).shape) === n && sameTail((args[t] as { shape: Shape }).shape, outShape) ? 'full' as const : 'one' as const));
    const wasmKinds = [...tensorKinds].map((k) => (k === 'f' ? 'full' as const : k === 'o' ? 'one' as const : 'row' as const));
    compiled = { kernels: new Map(), outTypes: outputTypes(p, types), flat, types, tensorNames, scalarNames, kinds, wasmKinds };
    bySig.set(key, compiled);
  }
  const { outTypes } = compiled;
  const outs = p.outputs.map((o) => {
    const a = args[o];
    // Writing over an input is safe only where the input is laid out exactly like the output.
    const reusable = inPlace && a !== undefined && typeof a !== 'number' && a.storage.length === n &&
      sameTail(a.shape, outShape) && a.storage instanceof arrayType(outTypes[o]);
    // The loop (or the copy below) writes every element, so the array need not be zeroed.
    return reusable ? (a.storage as HostArray) : newArrayUnfilled(outTypes[o], n);
  });
  // Broadcast operands constant along rows of the output can run in wasm too.
  let rows: RowPlan | null = null;
  const wasmWanted = n >= wasmPrograms.minElements && compiled.wasm !== null && wasmProgramsEnabled();
  if (n > 0) {
    if (isCopy(p) && ins[0].length === n && ins[0] instanceof arrayType(outTypes[p.outputs[0]])) {
      // A plain copy of a full-size input: memcpy instead of a loop.
      outs[0].set(ins[0]);
    } else if (wasmWanted && (compiled.flat || (rows = rowPlan(args, compiled.tensorNames, tensorKinds, outShape, ins)) !== null) &&
      (compiled.wasm ??= compileWasmProgram(p, compiled.types, compiled.tensorNames, compiled.scalarNames, compiled.wasmKinds, outTypes))) {
      // Float32 throughout and every construct a SIMD instruction: the wasm loop, 4 lanes at a
      // time; on resident arrays where they lie, and on both threads (program-shared.ts).
      if (!runSharedProgram(compiled.wasm, outs as Float32Array[], ins as Float32Array[], scalars, n, rows)) {
        runWasmProgram(compiled.wasm, outs as Float32Array[], ins as Float32Array[], scalars, n, rows);
      }
    } else {
      const aliases = compiled.flat ? aliasesOf(outs, ins, compiled.kinds) : NO_ALIASES;
      const aKey = aliases.join(',');
      let kernel = compiled.kernels.get(aKey);
      if (!kernel) {
        kernel = compile(p, compiled.types, compiled.tensorNames, compiled.scalarNames, compiled.flat ? compiled.kinds : null,
          aliases === NO_ALIASES ? p.outputs.map(() => -1) : aliases);
        compiled.kernels.set(aKey, kernel);
      }
      let plan: LoopPlan = { n, shape: [], strides: [] };
      if (!compiled.flat) {
        const tensorNames = compiled.tensorNames;
        const c = coalesce(outShape, tensorNames.map((t) => broadcastStrides((args[t] as { shape: Shape }).shape, outShape)));
        plan = { n, shape: c.shape.length ? c.shape : [1], strides: c.shape.length ? c.strides : c.strides.map(() => [0]) };
      }
      kernel(outs, ins, scalars, plan);
    }
  }
  const result: Record<string, HostArray> = {};
  for (let k = 0; k < outs.length; k++) result[p.outputs[k]] = outs[k];
  return result;
}

const NO_ALIASES: number[] = [];

/**
 * The rows of a broadcasting program for the wasm loop (program-wasm.ts), or null where it has
 * none: after merging dimensions, every broadcast operand ('s' in `kinds`) must be constant
 * along the innermost one, whose length (the row) must be a multiple of 4. Each such operand
 * becomes a table of its value for each row, made here (N·C floats for a per-channel operand
 * of [N, C, H, W]: a walk of the outer dimensions, small beside the H·W-long rows).
 */
function rowPlan(args: ProgramArgs<Storage>, tensorNames: string[], kinds: string, outShape: Shape, ins: HostArray[]): RowPlan | null {
  const c = coalesce(outShape, tensorNames.map((t) => broadcastStrides((args[t] as { shape: Shape }).shape, outShape)));
  const inner = c.shape.length - 1;
  if (inner < 1) return null;
  const length = c.shape[inner];
  if (length % 4 !== 0) return null;
  for (let t = 0; t < kinds.length; t++) {
    if (kinds[t] === 's' && (c.strides[t][inner] !== 0 || !(ins[t] instanceof Float32Array))) return null;
  }
  const outer = c.shape.slice(0, inner);
  const rowCount = sizeOf(outer);
  const tables: Float32Array[] = [];
  for (let t = 0; t < kinds.length; t++) {
    if (kinds[t] !== 's') continue;
    const x = ins[t], table = new Float32Array(rowCount);
    odometer(outer, [c.strides[t].slice(0, inner)], (r, offs) => { table[r] = x[offs[0]]; });
    tables.push(table);
  }
  return { length, tables };
}

/** For each output, the index of a full-size input that is the very same array (written in place), else -1. */
function aliasesOf(outs: HostArray[], ins: HostArray[], kinds: ('full' | 'one')[]): number[] {
  const aliases: number[] = [];
  for (const o of outs) {
    let j = -1;
    for (let t = 0; t < ins.length; t++) if (ins[t] === o && kinds[t] === 'full') { j = t; break; }
    aliases.push(j);
  }
  return aliases;
}

/** True for the program `x` (one output, the one input as it is). */
function isCopy(p: Program): boolean {
  const s = p.statements;
  return s.length === 1 && s[0].expr.kind === 'var' && p.inputs.length === 1;
}

/** True when `shape` has the same elements in the same order as `outShape` (leading 1s aside). */
function sameTail(shape: Shape, outShape: Shape): boolean {
  if (shape.length === outShape.length) {
    let same = true;
    for (let d = 0; d < shape.length; d++) if (shape[d] !== outShape[d]) { same = false; break; }
    if (same) return true;
  }
  const a = shape.filter((d) => d !== 1), b = outShape.filter((d) => d !== 1);
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function arrayType(dtype: DType): typeof Float32Array | typeof Int32Array | typeof Uint8Array {
  return dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : Uint8Array;
}
