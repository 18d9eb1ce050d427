/**
 * The cpu backend's compiler for elementwise programs (../program.ts): each program becomes a
 * JavaScript loop, built once per program and argument types with `new Function` and cached,
 * so V8 optimizes it like a hand-written loop. Arithmetic runs in float64 and each result is
 * rounded once when stored, so a single op gives exactly float32's correctly rounded answer.
 *
 * Two loop shapes: a flat one when every tensor argument is the full output size or a single
 * element (the common case: same-shape operands, scalars), and a strided one that walks the
 * coalesced output dimensions with one offset per argument (broadcasting).
 */
import { argTypes, inferTypes, outputTypes, type Builtin, type Expr, type Program, type ProgramArgs, type ValueType } from '../program.ts';
import { coalesce, broadcastStrides } from '../plan.ts';
import { newArray, type DType, type HostArray } from '../../tensor/dtype.ts';
import { sizeOf, type Shape } from '../../tensor/shape.ts';
import { isHost, type Storage } from '../../tensor/storage.ts';

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
  max: ([x, y]) => `Math.max(${x}, ${y})`,
  min: ([x, y]) => `Math.min(${x}, ${y})`,
  isnan: ([x]) => `(${x} !== ${x} ? 1 : 0)`,
  int: ([x]) => `Math.trunc(${x})`,
  float: ([x]) => x,
};

/**
 * erf(x) to float32 accuracy: W. J. Cody's rational approximations as rearranged in
 * Numerical Recipes (erfc via a Chebyshev fit, relative error below 1.2e-7 everywhere).
 */
function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
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
        case '<': case '<=': case '>': case '>=': return `(${a} ${e.op} ${b} ? 1 : 0)`;
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
function compile(p: Program, types: Record<string, ValueType>, tensorNames: string[], scalarNames: string[], flatKinds: ('full' | 'one')[] | null): Kernel {
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
  const store = (idx: string) => p.outputs.map((o, k) => `o${k}[${idx}] = ${local(o)};`).join(' ');
  let loop: string;
  if (flatKinds) {
    // A one-element argument is read once, outside the loop.
    const oneReads = tensorNames.map((_, k) => (flatKinds[k] === 'one' ? `const c${k} = i${k}[0];` : '')).join(' ');
    const reads = tensorNames.map((t, k) => `let ${local(t)} = ${flatKinds[k] === 'one' ? `c${k}` : `i${k}[i]`};`).join(' ');
    loop = `${oneReads}\nconst n = plan.n;\nfor (let i = 0; i < n; i++) {\n${reads}\n${body.join('\n')}\n${store('i')}\n}`;
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
  return new Function('erf', `return function program(outs, ins, scalars, plan) {\n${src}\n};`)(erf) as Kernel;
}

/** Runs `p` (see Backend.elementwise). Tensor arguments must be host arrays. */
export function runProgram(p: Program, args: ProgramArgs<Storage>, outShape: Shape, inPlace: boolean): Record<string, HostArray> {
  const n = sizeOf(outShape);
  const types = argTypes(args);
  const outTypes = outputTypes(p, types);
  const tensorNames: string[] = [];
  const scalarNames: string[] = [];
  const ins: HostArray[] = [];
  const scalars: number[] = [];
  for (const name of p.inputs) {
    const a = args[name];
    if (a === undefined) throw new Error(`elementwise: no value for '${name}' in: ${p.source}`);
    if (typeof a === 'number') { scalarNames.push(name); scalars.push(a); continue; }
    if (!isHost(a.storage)) throw new Error(`elementwise: '${name}' is not a host array (cpu backend)`);
    tensorNames.push(name);
    ins.push(a.storage);
  }
  const outs = p.outputs.map((o) => {
    const a = args[o];
    // Writing over an input is safe only where the input is laid out exactly like the output.
    const reusable = inPlace && a !== undefined && typeof a !== 'number' && sizeOf(a.shape) === n &&
      sameTail(a.shape, outShape) && a.storage instanceof arrayType(outTypes[o]);
    return reusable ? (a.storage as HostArray) : newArray(outTypes[o], n);
  });
  const flatKinds = tensorNames.map((t) => {
    const a = args[t] as { shape: Shape };
    return sizeOf(a.shape) === n && sameTail(a.shape, outShape) ? 'full' : sizeOf(a.shape) === 1 ? 'one' : null;
  });
  const flat = flatKinds.every((k) => k !== null) ? (flatKinds as ('full' | 'one')[]) : null;
  const key = `${p.source}|${Object.entries(types).map(([k, t]) => `${k}:${t.dtype}${t.weak ? '~' : ''}`).join(',')}|${flat ? flat.join('') : 'strided'}`;
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = compile(p, types, tensorNames, scalarNames, flat);
    kernels.set(key, kernel);
  }
  let plan: LoopPlan = { n, shape: [], strides: [] };
  if (!flat && n > 0) {
    const c = coalesce(outShape, tensorNames.map((t) => broadcastStrides((args[t] as { shape: Shape }).shape, outShape)));
    plan = { n, shape: c.shape.length ? c.shape : [1], strides: c.shape.length ? c.strides : c.strides.map(() => [0]) };
  }
  if (n > 0) kernel(outs, ins, scalars, plan);
  const result: Record<string, HostArray> = {};
  p.outputs.forEach((o, k) => { result[o] = outs[k]; });
  return result;
}

/** True when `shape` has the same elements in the same order as `outShape` (leading 1s aside). */
function sameTail(shape: Shape, outShape: Shape): boolean {
  const a = shape.filter((d) => d !== 1), b = outShape.filter((d) => d !== 1);
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function arrayType(dtype: DType): typeof Float32Array | typeof Int32Array | typeof Uint8Array {
  return dtype === 'float32' ? Float32Array : dtype === 'int32' ? Int32Array : Uint8Array;
}
