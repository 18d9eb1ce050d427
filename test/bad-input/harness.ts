/**
 * The bad-input audit: a case is one call a user might get wrong, run against fresh state.
 * It is classified the way an auditor would, by what the call did and what it left:
 *
 *  clear         threw an Error subclass (not bare Error) whose message names the function
 *                and shows the bad value or shape, and every part of the state is as before
 *  unclear       threw, but a bare Error / a non-Error, or a message that does not say
 *                which function or which value (e.g. "Cannot read properties of undefined")
 *  garbage       returned as if the input were fine, or (for a valid input) returned a
 *                wrong result
 *  corrupted     threw, but changed parameters, optimizer state, a loader, the RNG or a file
 *  refused-valid threw on an input that is valid
 *  accepted      a valid input, accepted with the right result
 *  hang          did not return within the time budget (only the audit script, which runs
 *                cases in a worker it can stop, can see this; under vitest it is a timeout)
 *
 * Cases are plain data, grouped by area in cases/*.ts, so other parts of the code add
 * theirs without touching this file. A case still failing because its fix belongs to
 * another branch carries `pending`: the test suite leaves it to the audit script.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tg from '../../src/index.ts';
import { snapshot, type Snapshot, type World } from './snapshot.ts';

export type Verdict = 'clear' | 'unclear' | 'garbage' | 'corrupted' | 'refused-valid' | 'accepted' | 'hang';
export type Area = 'tensor' | 'ops' | 'nn' | 'optim' | 'data' | 'train' | 'io';
/** The branch that owns a fix still missing. */
export type Owner = 'core' | 'optim' | 'platform' | 'reliability';

/** A fragment the message must contain; an array lists acceptable alternatives. */
export type Show = string | readonly string[];

/** What a clear refusal must say. */
export interface Refusal {
  /** The function or op the message must name (e.g. 'DataLoader', 'randn', 'io.load'). */
  fn: string | readonly string[];
  /** The bad value or shape, as fragments the message must show. */
  shows?: readonly Show[];
  /** The error class expected, when one is specific (ShapeError, SafetensorsError…). */
  type?: abstract new (...args: never[]) => Error;
}

/** The standard state every case starts from unless it builds its own. */
export interface Setup {
  model: tg.nn.Sequential;
  optimizer: tg.optim.Adam;
  scheduler: tg.optim.StepLR;
  loader: tg.data.DataLoader;
  data: tg.data.Dataset;
  /** A folder of its own for the case's input files, removed after the case. */
  dir: string;
  /** A valid model file, saved from `model`, alone in a subfolder of `dir` (whose listing is snapshotted). */
  file: string;
  /** A file the case's own setup prepared (a tampered checkpoint…), when it has one. */
  input?: string;
  /** What the snapshot covers. */
  world: World;
}

export interface Case {
  area: Area;
  /** The call as a user would write it: the test's name and the repro line. */
  call: string;
  /** The call itself, on fresh state; `input` is what `input()` built. */
  act: (s: Setup, input: any) => unknown;
  /**
   * Builds the call's operands before the "before" snapshot (a layer drawing its weights
   * from the global RNG, say), so that only the call itself is held to changing nothing.
   */
  input?: (s: Setup) => unknown;
  /** Builds the state when the standard one does not fit; it must return `world`. */
  setup?: () => Setup;
  /** How a clear refusal reads. Absent: the input is valid and must be accepted. */
  refuse?: Refusal;
  /**
   * For valid inputs: throws if the result is wrong. With `refuse` as well, either outcome
   * is fine (a clear refusal, or a correct result) — for inputs the API may reasonably take.
   */
  check?: (result: unknown, s: Setup) => void;
  /** A fix that belongs to another branch, still missing: run by the audit script only. */
  pending?: { owner: Owner; item: string };
}

export interface Outcome {
  verdict: Verdict;
  /** Why, in a line: the message, the changed parts, the result. */
  detail: string;
}

/** The standard setup: a small MLP one Adam step in, a seeded shuffling loader mid-epoch, a saved model file. */
export function standardSetup(): Setup {
  tg.manualSeed(11);
  const model = new tg.nn.Sequential(new tg.nn.Dense(4, 8), new tg.nn.ReLU(), new tg.nn.Dense(8, 3));
  const optimizer = new tg.optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new tg.optim.StepLR(optimizer, { stepSize: 2 });
  const images = tg.randn([20, 4]);
  const labels = Int32Array.from({ length: 20 }, (_, i) => i % 3);
  const data = { images, labels };
  const loss = new tg.nn.CrossEntropyLoss();
  optimizer.zeroGrad();
  loss.forward(model.forward(images), labels).backward();
  optimizer.step();
  scheduler.step();
  const loader = new tg.data.DataLoader(data, { batchSize: 8, shuffle: true, seed: 3 });
  const it = loader[Symbol.iterator]();
  it.next();
  it.return?.(undefined);
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-bad-input-'));
  mkdirSync(join(dir, 'out'));
  const file = join(dir, 'out', 'model.safetensors');
  tg.io.save(model, file);
  return { model, optimizer, scheduler, loader, data, dir, file, world: { model, optimizer, scheduler, loaders: [loader], files: [file] } };
}

/** A short description of a value that came back where an error was expected. */
function describeResult(v: unknown): string {
  if (v instanceof tg.Tensor) {
    try {
      return `a Tensor of shape [${v.shape.join(',')}]${v.size <= 6 ? ` = ${JSON.stringify(Array.from(v.data))}` : ''}`;
    } catch {
      return 'a Tensor';
    }
  }
  if (v === undefined) return 'undefined (no error)';
  if (typeof v === 'object' && v !== null) return `a ${v.constructor?.name ?? 'object'}`;
  return `${typeof v} ${String(v).slice(0, 60)}`;
}

const changed = (a: Snapshot, b: Snapshot) => [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);

/** Does `message` name the function and show every fragment? Returns what is missing, or null. */
function missingFrom(message: string, refusal: Refusal): string | null {
  const fns = typeof refusal.fn === 'string' ? [refusal.fn] : refusal.fn;
  if (!fns.some((f) => message.includes(f))) return `does not name ${fns.join(' / ')}`;
  for (const show of refusal.shows ?? []) {
    const options = typeof show === 'string' ? [show] : show;
    if (!options.some((o) => message.includes(o))) return `does not show ${options.map((o) => JSON.stringify(o)).join(' or ')}`;
  }
  return null;
}

/** Runs one case on fresh state and classifies what happened. */
export function classify(c: Case): Outcome {
  const s = (c.setup ?? standardSetup)();
  try {
    const input = c.input?.(s);
    const before = snapshot(s.world);
    let result: unknown;
    let error: unknown;
    let threw = false;
    try {
      result = c.act(s, input);
    } catch (err) {
      threw = true;
      error = err;
    }
    if (!threw) {
      if (c.check) {
        try {
          c.check(result, s);
        } catch (err) {
          return { verdict: 'garbage', detail: `wrong result: ${(err as Error).message.split('\n')[0]}` };
        }
        return { verdict: 'accepted', detail: 'accepted with the right result' };
      }
      if (!c.refuse) return { verdict: 'accepted', detail: 'accepted' };
      return { verdict: 'garbage', detail: `returned ${describeResult(result)}` };
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : `non-Error thrown: ${String(error)}`;
    const parts = changed(before, snapshot(s.world));
    if (parts.length) return { verdict: 'corrupted', detail: `threw (${message.slice(0, 120)}) after changing ${parts.join(', ')}` };
    if (!c.refuse) return { verdict: 'refused-valid', detail: message.slice(0, 200) };
    if (!(error instanceof Error)) return { verdict: 'unclear', detail: message };
    if (error.constructor === Error) return { verdict: 'unclear', detail: `a bare Error: ${message.slice(0, 200)}` };
    if (c.refuse.type && !(error instanceof c.refuse.type)) return { verdict: 'unclear', detail: `not a ${c.refuse.type.name}: ${message.slice(0, 200)}` };
    const missing = missingFrom(error.message, c.refuse);
    if (missing) return { verdict: 'unclear', detail: `${missing}: ${message.slice(0, 200)}` };
    return { verdict: 'clear', detail: message.slice(0, 200) };
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
}

/** A value as a user would type it in a call: NaN, Infinity and undefined included. */
export function lit(v: unknown): string {
  if (typeof v === 'number' || v === undefined || typeof v === 'symbol') return String(v);
  if (typeof v === 'function') return 'a function';
  if (v instanceof tg.Tensor) return `tensor [${v.shape.join(',')}]`;
  return JSON.stringify(v, (_, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

/**
 * How a wrong value may appear in a clear message: the alternatives a careful message
 * would use (`"3"` or `string` for a string, `null`, `NaN`, `an object`…).
 */
export function shown(v: unknown): readonly string[] {
  if (typeof v === 'string') return [JSON.stringify(v), `'${v}'`, 'string'];
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return [String(v)];
  if (typeof v === 'function') return ['function'];
  if (typeof v === 'symbol') return [String(v), 'symbol'];
  if (Array.isArray(v)) return [JSON.stringify(v), `[${v.join(',')}]`, 'array'];
  if (v instanceof tg.Tensor) return ['Tensor'];
  return ['object', 'Object', JSON.stringify(v)];
}
