/**
 * The modules whose `forward` is running, innermost last. Module installs `callForward` as
 * every instance's `forward`, so that
 *   - an error escaping a model names the module it came from, by path and class
 *     (`model.3 (Dense): linear: input [2,5] must end in 4 features …`), and
 *   - while `tg.ops.trace` records, each op carries the path of the module that ran it (the
 *     ONNX exporter names nodes by it).
 * Paths are worked out from the outermost module, and only on those two occasions: a plain
 * forward pass pays for a push and a pop per module.
 */
import { inModule, isTracing } from '../ops/trace.ts';

/** What this file needs of a Module (module.ts imports this file, so not the class itself). */
export interface Named {
  namedModules(): [string, Named][];
}

const running: Named[] = [];
/** The modules running when an error was thrown, recorded by the innermost frame it passed. */
const thrownIn = new WeakMap<Error, Named[]>();
/** Errors already named, so one rethrown through a second model keeps a single prefix. */
const named = new WeakSet<Error>();

/** The dotted path of the innermost of `chain` below the outermost ('' for the outermost itself). */
function pathOf(chain: readonly Named[]): string {
  let path = '';
  for (let i = 1; i < chain.length; i++) {
    // A child is looked up below the module that called it, which is usually its parent;
    // a module reached some other way (made inside forward, say) keeps the caller's path.
    const found = chain[i - 1].namedModules().find(([, m]) => m === chain[i]);
    if (found && found[0]) path = path ? `${path}.${found[0]}` : found[0];
  }
  return path;
}

function className(m: Named): string {
  return (m as object).constructor.name;
}

/** Prefixes the error's message (and its stack's first line) with the module it came from. */
function nameModule(err: Error, chain: readonly Named[]): void {
  if (named.has(err)) return;
  named.add(err);
  const inner = chain[chain.length - 1];
  const cls = className(inner);
  const old = err.message;
  // A layer's own checks already begin with its class name ("LSTM: h0 must be …"): the
  // outermost module adds nothing to that, and a nested one adds its path in place of the name.
  const own = old.startsWith(`${cls}: `) ? old.slice(cls.length + 2) : old.startsWith(`${cls}(`) || old.startsWith(`${cls}.`) ? null : undefined;
  if (chain.length === 1) {
    if (own !== undefined) return;
    err.message = `${cls}: ${old}`;
  } else {
    err.message = `model.${pathOf(chain)} (${cls}): ${own ?? old}`;
  }
  if (typeof err.stack === 'string') err.stack = err.stack.replace(old, err.message);
}

/** Runs `forward` as module `m`'s forward pass. */
export function callForward(m: Named, forward: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  running.push(m);
  try {
    if (isTracing()) return inModule(pathOf(running), className(m), () => forward.apply(m, args));
    return forward.apply(m, args);
  } catch (err) {
    if (err instanceof Error && !thrownIn.has(err)) thrownIn.set(err, [...running]);
    if (running.length === 1 && err instanceof Error) nameModule(err, thrownIn.get(err)!);
    throw err;
  } finally {
    running.pop();
  }
}
