/**
 * Elementwise programs: the one kernel every backend compiles for itself.
 *
 * Every elementwise op (arithmetic, comparisons, activations and their derivatives) and every
 * fused optimizer update is a short program in a small expression language, written where the
 * op is written:
 *
 *     relu:      'max(x, 0)'                 backward: 'dy * (x > 0)'
 *     Adam:      'm = beta1 * m + (1 - beta1) * g
 *                 v = beta2 * v + (1 - beta2) * g * g
 *                 p = p - stepSize * m / (sqrt(v) * invBc2Sqrt + eps)'
 *
 * A backend turns a program into code once (a JavaScript loop on the cpu, a gpu.js kernel on
 * the gpu) and caches it, so adding an op or an optimizer touches one file and no backend,
 * and the backends stay complete by construction: each must implement every builtin below
 * (a `Record<Builtin, …>` table, so a missing one is a compile error). This file parses a
 * program and works out the type of every expression; code generation lives with each backend.
 *
 * The language: numbers (`1`, `0.5`, `1e-8`, `nan`, `inf`); names of inputs (tensors, broadcast
 * together, or JS numbers); `+ - * /`, comparisons `< <= > >= == !=`, `&& || !`, `c ? a : b`,
 * and the builtins. A program is one expression (its single output) or lines of
 * `let name = expr` (a temporary) and `name = expr` (an output; assigning an input's name
 * updates that input — in place on the cpu). Later lines see the values earlier lines set,
 * as in an algorithm's pseudocode.
 */
import { type DType, promoteTypes } from '../tensor/dtype.ts';

export type BinaryOperator = '+' | '-' | '*' | '/' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

export type Expr =
  | { kind: 'num'; value: number; int: boolean }
  | { kind: 'var'; name: string }
  | { kind: 'unary'; op: '-' | '!'; arg: Expr }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr }
  | { kind: 'cond'; test: Expr; then: Expr; else: Expr }
  | { kind: 'call'; fn: Builtin; args: Expr[] };

export interface Statement {
  /** `let` declares a temporary; otherwise the line sets an output. */
  kind: 'let' | 'set';
  name: string;
  expr: Expr;
}

/**
 * How a builtin's result type follows from its arguments: 'float' always gives float32 (an
 * integer argument is converted, as `torch.exp` does), 'int' int32, 'same' keeps the promoted
 * argument type, 'bool' gives a bool.
 */
type ResultRule = 'float' | 'int' | 'same' | 'bool';

export const BUILTINS = {
  exp: { arity: 1, result: 'float' },
  log: { arity: 1, result: 'float' },
  log1p: { arity: 1, result: 'float' },
  sqrt: { arity: 1, result: 'float' },
  sin: { arity: 1, result: 'float' },
  cos: { arity: 1, result: 'float' },
  tanh: { arity: 1, result: 'float' },
  erf: { arity: 1, result: 'float' },
  /** An int32 base to a whole power stays int32, as in PyTorch. */
  pow: { arity: 2, result: 'same' },
  abs: { arity: 1, result: 'same' },
  sign: { arity: 1, result: 'same' },
  floor: { arity: 1, result: 'same' },
  /** NaN-propagating, like torch.maximum / torch.minimum. */
  max: { arity: 2, result: 'same' },
  min: { arity: 2, result: 'same' },
  isnan: { arity: 1, result: 'bool' },
  /** Conversions: int truncates toward zero. */
  int: { arity: 1, result: 'int' },
  float: { arity: 1, result: 'float' },
} as const satisfies Record<string, { arity: number; result: ResultRule }>;

export type Builtin = keyof typeof BUILTINS;

export class ProgramError extends Error {
  override name = 'ProgramError';
}

/** A parsed program: its lines, the names it reads, and the outputs it sets, in order. */
export interface Program {
  readonly source: string;
  readonly statements: readonly Statement[];
  /** Names read before any line sets them: the program's inputs. */
  readonly inputs: readonly string[];
  /** Names set by `name = expr` lines (for a bare expression: 'out'). */
  readonly outputs: readonly string[];
}

// ---------------------------------------------------------------------------------------
// Parsing

type Token = { t: 'num'; v: number; int: boolean } | { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'end' };

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '<', '>', '!', '?', ':', '(', ')', ',', '=', ';', '\n'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0]), int: /^\d+$/.test(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ProgramError(`program: unexpected character '${c}' at ${i} in: ${src}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'end' });
  return out;
}

/** Binding power of each binary operator (higher binds tighter). */
const PRECEDENCE: Record<BinaryOperator, number> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '<=': 4, '>': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6,
};

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly src: string) {}

  private peek(): Token { return this.tokens[this.pos]; }
  private next(): Token { return this.tokens[this.pos++]; }
  private isOp(v: string): boolean { const t = this.peek(); return t.t === 'op' && t.v === v; }
  private fail(what: string): never {
    const t = this.peek();
    const at = t.t === 'end' ? 'the end' : `'${t.t === 'num' ? t.v : t.v === '\n' ? '\\n' : t.v}'`;
    throw new ProgramError(`program: expected ${what}, found ${at} in: ${this.src}`);
  }
  private expectOp(v: string): void { if (!this.isOp(v)) this.fail(`'${v}'`); this.pos++; }

  statements(): Statement[] {
    const lines: Statement[] = [];
    for (;;) {
      while (this.isOp('\n') || this.isOp(';')) this.pos++;
      if (this.peek().t === 'end') return lines;
      lines.push(this.statement());
      if (!(this.isOp('\n') || this.isOp(';') || this.peek().t === 'end')) this.fail('the end of the line');
    }
  }

  private statement(): Statement {
    const t = this.peek();
    const u = this.tokens[this.pos + 1];
    if (t.t === 'id' && t.v === 'let') {
      this.pos++;
      const name = this.next();
      if (name.t !== 'id') this.fail('a name after let');
      this.expectOp('=');
      return { kind: 'let', name: (name as { v: string }).v, expr: this.expr() };
    }
    if (t.t === 'id' && u.t === 'op' && u.v === '=') {
      this.pos += 2;
      return { kind: 'set', name: t.v, expr: this.expr() };
    }
    return { kind: 'set', name: 'out', expr: this.expr() };
  }

  expr(): Expr {
    const test = this.binary(1);
    if (!this.isOp('?')) return test;
    this.pos++;
    const then = this.expr();
    this.expectOp(':');
    return { kind: 'cond', test, then, else: this.expr() };
  }

  private binary(minPrec: number): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t.t === 'op' ? PRECEDENCE[t.v as BinaryOperator] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.pos++;
      left = { kind: 'binary', op: (t as { v: string }).v as BinaryOperator, left, right: this.binary(prec + 1) };
    }
  }

  private unary(): Expr {
    if (this.isOp('-') || this.isOp('!')) {
      const op = (this.next() as { v: string }).v as '-' | '!';
      const arg = this.unary();
      // Fold negative literals so `-1` stays a literal (an int literal keeps an int32 result).
      if (op === '-' && arg.kind === 'num') return { ...arg, value: -arg.value };
      return { kind: 'unary', op, arg };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    if (t.t === 'num') return { kind: 'num', value: t.v, int: t.int };
    if (t.t === 'op' && t.v === '(') {
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (t.t !== 'id') { this.pos--; this.fail('a number, a name or ('); }
    if (t.v === 'nan') return { kind: 'num', value: NaN, int: false };
    if (t.v === 'inf') return { kind: 'num', value: Infinity, int: false };
    if (!this.isOp('(')) return { kind: 'var', name: t.v };
    if (!Object.prototype.hasOwnProperty.call(BUILTINS, t.v)) {
      throw new ProgramError(`program: unknown function '${t.v}' (known: ${Object.keys(BUILTINS).join(', ')}) in: ${this.src}`);
    }
    const fn = t.v as Builtin;
    this.pos++;
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) { this.pos++; args.push(this.expr()); }
    }
    this.expectOp(')');
    if (args.length !== BUILTINS[fn].arity) {
      throw new ProgramError(`program: ${fn} takes ${BUILTINS[fn].arity} argument(s), got ${args.length} in: ${this.src}`);
    }
    return { kind: 'call', fn, args };
  }
}

const cache = new Map<string, Program>();

/** Parses (once per distinct source) a program. */
export function program(source: string): Program {
  let p = cache.get(source);
  if (p) return p;
  const statements = new Parser(tokenize(source), source).statements();
  if (statements.length === 0) throw new ProgramError('program: empty program');
  const inputs: string[] = [];
  const outputs: string[] = [];
  const defined = new Set<string>();
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'var':
        if (!defined.has(e.name) && !inputs.includes(e.name)) inputs.push(e.name);
        return;
      case 'unary': visit(e.arg); return;
      case 'binary': visit(e.left); visit(e.right); return;
      case 'cond': visit(e.test); visit(e.then); visit(e.else); return;
      case 'call': e.args.forEach(visit); return;
      case 'num': return;
    }
  };
  for (const s of statements) {
    visit(s.expr);
    if (s.kind === 'let') {
      if (defined.has(s.name) || inputs.includes(s.name)) throw new ProgramError(`program: '${s.name}' is declared twice in: ${source}`);
    } else if (!outputs.includes(s.name)) {
      outputs.push(s.name);
    }
    defined.add(s.name);
  }
  p = { source, statements, inputs, outputs };
  cache.set(source, p);
  return p;
}

// ---------------------------------------------------------------------------------------
// Types

/**
 * A value's type. `weak` marks JS numbers and literals: like Python scalars in PyTorch they do
 * not promote a tensor (int32 tensor · 2 stays int32) unless they are of a higher kind
 * (int32 tensor · 0.5 is float32).
 */
export interface ValueType {
  dtype: DType;
  weak: boolean;
}

function promote(a: ValueType, b: ValueType): ValueType {
  if (a.weak === b.weak) {
    const dtype = promoteTypes(a.dtype, b.dtype);
    // Arithmetic on two bools counts them: the result is an integer.
    return { dtype: dtype === 'bool' ? 'int32' : dtype, weak: a.weak };
  }
  // A weak number promotes a tensor only to a higher kind: int32 tensor · 0.5 is float32.
  if (a.dtype === 'float32' || b.dtype === 'float32') return FLOAT;
  return { dtype: 'int32', weak: false };
}

const FLOAT: ValueType = { dtype: 'float32', weak: false };
const BOOL: ValueType = { dtype: 'bool', weak: false };

/** The type of every expression of `p` when its inputs have `inputTypes`. */
export function inferTypes(p: Program, inputTypes: Readonly<Record<string, ValueType>>): Map<Expr, ValueType> {
  const types = new Map<Expr, ValueType>();
  const env = new Map<string, ValueType>(Object.entries(inputTypes));
  const infer = (e: Expr): ValueType => {
    let t: ValueType;
    switch (e.kind) {
      case 'num': t = { dtype: e.int ? 'int32' : 'float32', weak: true }; break;
      case 'var': {
        const v = env.get(e.name);
        if (!v) throw new ProgramError(`program: no value given for '${e.name}' in: ${p.source}`);
        t = v;
        break;
      }
      case 'unary': {
        const a = infer(e.arg);
        t = e.op === '!' ? BOOL : a.dtype === 'bool' ? { dtype: 'int32', weak: a.weak } : a;
        break;
      }
      case 'binary': {
        const a = infer(e.left), b = infer(e.right);
        if (e.op === '+' || e.op === '-' || e.op === '*') t = promote(a, b);
        else if (e.op === '/') t = { dtype: 'float32', weak: a.weak && b.weak };
        else t = BOOL;
        break;
      }
      case 'cond': infer(e.test); t = promote(infer(e.then), infer(e.else)); break;
      case 'call': {
        const args = e.args.map(infer);
        const rule: ResultRule = BUILTINS[e.fn].result;
        if (rule === 'float') t = FLOAT;
        else if (rule === 'int') t = { dtype: 'int32', weak: false };
        else if (rule === 'bool') t = BOOL;
        else t = args.length === 2 ? promote(args[0], args[1]) : args[0];
        break;
      }
    }
    types.set(e, t);
    return t;
  };
  for (const s of p.statements) {
    const t = infer(s.expr);
    const prev = env.get(s.name);
    // An input updated in place keeps its storage's dtype.
    env.set(s.name, s.kind === 'set' && prev && !prev.weak ? prev : t);
  }
  return types;
}

/** Tensor arguments by storage and shape; numbers are passed by value (and typed weakly). */
export interface TensorArg<S> {
  storage: S;
  shape: readonly number[];
  dtype: DType;
}

export type ProgramArgs<S> = Readonly<Record<string, TensorArg<S> | number>>;

/** The types of a program's arguments: tensors by dtype, numbers weakly by whether they are whole. */
export function argTypes<S>(args: ProgramArgs<S>): Record<string, ValueType> {
  const out: Record<string, ValueType> = {};
  for (const [name, a] of Object.entries(args)) {
    out[name] = typeof a === 'number' ? { dtype: Number.isInteger(a) ? 'int32' : 'float32', weak: true } : { dtype: a.dtype, weak: false };
  }
  return out;
}

const typeCode = { float32: 'f', int32: 'i', bool: 'b' } as const;

/**
 * A short string naming the types of `args` in the order `p` reads them ('f' float32 tensor,
 * 'F' a fractional number, 'I' a whole one, …): programs are typed, and compiled, per signature.
 */
export function typeSignature<S>(p: Program, args: ProgramArgs<S>): string {
  let sig = '';
  for (const name of p.inputs) {
    const a = args[name];
    if (a === undefined) throw new ProgramError(`program: no value given for '${name}' in: ${p.source}`);
    sig += typeof a === 'number' ? (Number.isInteger(a) ? 'I' : 'F') : typeCode[a.dtype];
  }
  return sig;
}

const outputTypeCache = new WeakMap<Program, Map<string, Record<string, DType>>>();

/** `outputTypes` for these arguments, worked out once per program and type signature. */
export function outputTypesFor<S>(p: Program, args: ProgramArgs<S>): Record<string, DType> {
  let bySig = outputTypeCache.get(p);
  if (!bySig) { bySig = new Map(); outputTypeCache.set(p, bySig); }
  const sig = typeSignature(p, args);
  let out = bySig.get(sig);
  if (!out) { out = outputTypes(p, argTypes(args)); bySig.set(sig, out); }
  return out;
}

/** The dtype each output of `p` is stored in. */
export function outputTypes(p: Program, inputTypes: Readonly<Record<string, ValueType>>): Record<string, DType> {
  const types = inferTypes(p, inputTypes);
  const out: Record<string, DType> = {};
  for (const s of p.statements) {
    if (s.kind !== 'set') continue;
    const given = inputTypes[s.name];
    out[s.name] = given && !given.weak ? given.dtype : types.get(s.expr)!.dtype;
  }
  return out;
}
