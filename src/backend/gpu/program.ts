/**
 * The gpu backend's compiler for elementwise programs (../program.ts): each program becomes a
 * gpu.js kernel — a kernel map when it has several outputs — compiled once per program,
 * argument types and shapes and cached by the runtime. GLSL has no integers or booleans we
 * can rely on here, so every value is a float: a comparison becomes 1.0 or 0.0, a test
 * compares with 0.0, and int32 tensors are whole floats (exact below 2²⁴).
 */
import { inferTypes, argTypes, type Builtin, type Expr, type Program, type ProgramArgs, type ValueType } from '../program.ts';
import { broadcastStrides } from '../plan.ts';
import type { Storage } from '../../tensor/storage.ts';
import { sizeOf, type Shape } from '../../tensor/shape.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime, KernelArg, HelperFunction } from './runtime.ts';

/**
 * Helpers written in the JS subset gpu.js translates. NaN and ∞ come in as arguments: GLSL
 * has no literal for them.
 */
const HELPERS = {
  // erf to float32 accuracy (the same approximation as the cpu backend's, see cpu/program.ts).
  erf: 'function erf(x) { const z = Math.abs(x);\n' +
    'if (z < 0.5) { const q = x * x; return 1.1283791670955126 * x * (1 + q * (-0.3333333333333333 + q * (0.1 + q * (-0.023809523809523808 + q * (0.004629629629629629 + q * (-0.0007575757575757576 + q * (0.00010683760683760684 + q * (-0.000013227513227513228)))))))); }\n' +
    'const t = 1 / (1 + 0.5 * z);\n' +
    'const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));\n' +
    'if (x >= 0) { return 1 - r; } return r - 1; }',
  // GLSL's pow is undefined for negative bases and for 0; this follows Math.pow, the sign of
  // a zero base included (an odd power keeps it: pow(−0, −1) = −∞, as 1/x gives).
  jsPow: 'function jsPow(x, y, nan, inf) { if (y == 0) { return 1; } if (x != x || y != y) { return nan; }\n' +
    'const half = y * 0.5; let odd = 0; if (Math.floor(y) == y && Math.floor(half) != half) { odd = 1; }\n' +
    'if (x == 0) { if (y > 0) { if (odd == 1) { return x; } return 0; } if (odd == 1) { return 1 / x; } return inf; }\n' +
    'if (x > 0) { return Math.pow(x, y); }\n' +
    'if (Math.floor(y) != y) { return nan; }\n' +
    'const m = Math.pow(-x, y); if (odd == 1) { return -m; } return m; }',
  // GLSL ES 1.0 has no tanh (gpu.js's stand-in overflows to NaN above |x| ≈ 44); near zero,
  // (1 − e)/(1 + e) cancels, so small |x| uses the series, accurate to 1e-8 below 0.25.
  stableTanh: 'function stableTanh(v) { const a = Math.abs(v); let t = 0;\n' +
    'if (a < 0.25) { const a2 = a * a; t = a * (1 + a2 * (-0.3333333333333333 + a2 * (0.13333333333333333 + a2 * (-0.05396825396825397 + a2 * 0.021869488536155203)))); }\n' +
    'else { const e = Math.exp(-2 * a); t = (1 - e) / (1 + e); }\n' +
    'if (v < 0) { return -t; } return t; }',
  // log(1 + x) loses x's low digits for small x (log1p(1e-7) came out 1.19e-7, 1e-30 gave 0).
  // Goldberg's correction log(u)·x/(u − 1) does not survive GLSL compilers, which fold
  // (1 + x) − 1 to x and 1 + x == 1 to x == 0; so below |x| = 0.5 the series of
  // 2·atanh(s), s = x/(2 + x), is used (nine terms: relative error below 2e-9).
  stableLog1p: 'function stableLog1p(x) { if (Math.abs(x) < 0.5) { const s = x / (2 + x); const q = s * s;\n' +
    'return 2 * s * (1 + q * (0.3333333333333333 + q * (0.2 + q * (0.14285714285714285 + q * (0.1111111111111111 + q * (0.09090909090909091 + q * (0.07692307692307693 + q * (0.06666666666666667 + q * 0.058823529411764705)))))))); }\n' +
    'return Math.log(1 + x); }',
} as const;

type Helper = keyof typeof HELPERS;

const HELPER_ARITY: Record<Helper, number> = { erf: 1, jsPow: 4, stableTanh: 1, stableLog1p: 1 };

/** gpu.js source for each builtin, given its arguments' code; NaN and ∞ are the uniforms `nan` and `inf`. */
const BUILTIN_GPU: Record<Builtin, (a: string[]) => string> = {
  exp: ([x]) => `Math.exp(${x})`,
  log: ([x]) => `Math.log(${x})`,
  log1p: ([x]) => `stableLog1p(${x})`,
  sqrt: ([x]) => `Math.sqrt(${x})`,
  sin: ([x]) => `Math.sin(${x})`,
  cos: ([x]) => `Math.cos(${x})`,
  tanh: ([x]) => `stableTanh(${x})`,
  erf: ([x]) => `erf(${x})`,
  pow: ([x, y]) => `jsPow(${x}, ${y}, nan, inf)`,
  abs: ([x]) => `Math.abs(${x})`,
  // GLSL's sign(NaN) is 0; the cpu backend's (and the op's documented) answer is NaN.
  sign: ([x]) => `(${x} != ${x} ? ${x} : Math.sign(${x}))`,
  floor: ([x]) => `Math.floor(${x})`,
  // GLSL's max/min leave NaN undefined; a NaN operand makes the sum NaN, as torch.maximum does.
  max: ([x, y]) => `((${x} != ${x} || ${y} != ${y}) ? (${x} + ${y}) : Math.max(${x}, ${y}))`,
  min: ([x, y]) => `((${x} != ${x} || ${y} != ${y}) ? (${x} + ${y}) : Math.min(${x}, ${y}))`,
  isnan: ([x]) => `(${x} != ${x} ? 1 : 0)`,
  int: ([x]) => `(${x} < 0 ? -Math.floor(-${x}) : Math.floor(${x}))`,
  float: ([x]) => x,
};

function literal(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '(-inf)';
  const s = String(v);
  return v < 0 ? `(${s})` : s;
}

function emit(e: Expr, types: Map<Expr, ValueType>, name: (v: string) => string, used: Set<Helper>): string {
  const go = (x: Expr) => emit(x, types, name, used);
  switch (e.kind) {
    case 'num': return literal(e.value);
    case 'var': return name(e.name);
    case 'unary': return e.op === '-' ? `(-${go(e.arg)})` : `(${go(e.arg)} == 0 ? 1 : 0)`;
    case 'cond': return `(${go(e.test)} != 0 ? ${go(e.then)} : ${go(e.else)})`;
    case 'call': {
      const code = BUILTIN_GPU[e.fn](e.args.map(go));
      for (const h of Object.keys(HELPERS) as Helper[]) if (code.includes(`${h}(`)) used.add(h);
      return code;
    }
    case 'binary': {
      const a = go(e.left), b = go(e.right);
      switch (e.op) {
        case '&&': return `((${a} != 0 && ${b} != 0) ? 1 : 0)`;
        case '||': return `((${a} != 0 || ${b} != 0) ? 1 : 0)`;
        case '<': case '<=': case '>': case '>=': case '==': case '!=': return `(${a} ${e.op} ${b} ? 1 : 0)`;
        // int32 arithmetic on whole floats stays whole and exact below 2²⁴ (see the dtype docs).
        default: return `(${a} ${e.op} ${b})`;
      }
    }
  }
}

/** Runs `p` over its broadcast arguments (see Backend.elementwise). */
export function runProgram(rt: GpuRuntime, p: Program, args: ProgramArgs<Storage>, outShape: Shape): Record<string, Storage> {
  const types = argTypes(args);
  const exprTypes = inferTypes(p, types);
  const local = (v: string) => `v_${v}`;
  const tensors = p.inputs.filter((n) => typeof args[n] !== 'number');
  const scalars = p.inputs.filter((n) => typeof args[n] === 'number');
  const index = tensors.length
    ? indexLines('this.thread.x', outShape, tensors.map((t) => broadcastStrides((args[t] as { shape: Shape }).shape, outShape)), tensors.map((t) => `at_${t}`))
    : '';
  const used = new Set<Helper>();
  const lines: string[] = [];
  const declared = new Set<string>(p.inputs);
  for (const s of p.statements) {
    const code = emit(s.expr, exprTypes, local, used);
    if (declared.has(s.name)) lines.push(`${local(s.name)} = ${code};`);
    else { lines.push(`let ${local(s.name)} = ${code};`); declared.add(s.name); }
  }
  const [main, ...rest] = p.outputs;
  const params = [...tensors.map((t) => `in_${t}`), ...scalars.map(local), 'nan', 'inf'];
  const src =
    `function (${params.join(', ')}) {\n${index}\n` +
    tensors.map((t) => `let ${local(t)} = in_${t}[at_${t}];`).join('\n') + '\n' +
    lines.join('\n') + '\n' +
    rest.map((o) => `save_${o}(${local(o)});`).join('\n') + '\n' +
    `return ${local(main)}; }`;
  const kernelArgs: KernelArg[] = [
    ...tensors.map((t) => (args[t] as { storage: Storage }).storage),
    ...scalars.map((s) => args[s] as number),
    NaN, Infinity,
  ];
  const helpers: HelperFunction[] = [...used].map((h) => ({ source: HELPERS[h], arity: HELPER_ARITY[h] }));
  const size = sizeOf(outShape);
  const out: Record<string, Storage> = {};
  if (rest.length === 0) {
    out[main] = rt.run(src, size, kernelArgs, helpers);
  } else {
    const res = rt.runMap(src, rest, size, kernelArgs, helpers);
    out[main] = res.result;
    for (const o of rest) out[o] = res[o];
  }
  return out;
}
