/**
 * The recorded graph and the reverse-mode engine.
 *
 * Define-by-run: every differentiable op that sees an input requiring a gradient attaches a
 * `GradNode` to its output, naming its inputs and a closure that maps the output's gradient
 * to the inputs' gradients. `backward()` walks these nodes in reverse topological order, so
 * each node runs once, after every consumer of its output has contributed its gradient, and
 * frees each node as it goes unless asked to retain the graph (as PyTorch does).
 */
import type { Tensor } from './tensor.ts';
import { AutogradError } from './errors.ts';

/** One recorded op: the inputs it read and how to send a gradient back to them. */
export interface GradNode {
  /** The op's name, for error messages and for people reading the graph. */
  readonly op: string;
  /** The op's tensor inputs, in the order `backward` returns their gradients (emptied when the node is freed). */
  inputs: readonly Tensor[];
  /** Gradient of the loss w.r.t. each input, given the gradient w.r.t. the output (null: none). */
  backward: (gradOutput: Tensor) => (Tensor | null)[];
  /** Set once backward has run through the node without `retainGraph`. */
  freed?: boolean;
}

/**
 * The two tensor operations the engine itself needs: summing the gradients that meet at a
 * tensor, and giving a leaf a copy of its own. They are ops, and ops sit above this layer,
 * so the ops layer hands them over when it loads (src/ops/record.ts); a graph exists only
 * once some op has run, so they are always there when a graph is walked.
 */
export interface GradMath {
  add(a: Tensor, b: Tensor): Tensor;
  copy(a: Tensor): Tensor;
}

let gradMath: GradMath | null = null;

export function setGradMath(m: GradMath): void {
  gradMath = m;
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording the graph (evaluation, optimizer updates), then restores the mode. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Tensors reachable from `root` through recorded nodes, each after all of its consumers. */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep graphs (long RNN-like chains) would overflow the JS call stack.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.gradFn ? t.gradFn.inputs : [];
    if (i < inputs.length) {
      top[1]++;
      const child = inputs[i];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order.reverse();
}

function freedNode(op: string): never {
  throw new AutogradError(
    `backward: the graph through '${op}' was already freed by an earlier backward(); ` +
    'pass { retainGraph: true } to the first backward() to run backward through it again',
  );
}

/**
 * Propagates `seed` (the gradient of the loss w.r.t. `root`) back through the graph and
 * accumulates into `.grad` of every leaf that requires a gradient.
 */
export function runBackward(root: Tensor, seed: Tensor, retainGraph: boolean): void {
  const order = reverseTopologicalOrder(root);
  for (const t of order) if (t.gradFn?.freed) freedNode(t.gradFn.op);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed);
  // Storages already handed to a leaf, or the caller's: a leaf whose gradient shares one gets a copy.
  const owned = new Set<unknown>([seed.storage]);
  noGrad(() => {
    for (const t of order) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t); // free intermediate gradients as soon as they are used
      const node = t.gradFn;
      if (!node) {
        accumulateLeaf(t, g, owned);
        continue;
      }
      const inputs = node.inputs;
      const inputGrads = node.backward(g);
      if (!retainGraph) {
        // Drop the closure and the inputs it saved: their memory goes with the graph.
        node.freed = true;
        node.inputs = [];
        node.backward = () => freedNode(node.op);
      }
      inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        const prev = grads.get(input);
        // Diamonds: a tensor used twice receives the sum of both paths' gradients.
        grads.set(input, prev ? math().add(prev, gi) : gi);
      });
    }
  });
}

/**
 * A leaf owns its gradient, which clipGradNorm or the user may change in place. A gradient
 * an op computed for this leaf alone becomes its `.grad` as it is; one that shares storage
 * with another leaf's (add passes one gradient to both inputs; a reshape's is a view) or with
 * the caller's `gradOutput` is copied first. It is kept out of any `tidy`, and disposed when
 * replaced.
 */
function accumulateLeaf(t: Tensor, g: Tensor, owned: Set<unknown>): void {
  const prev = t.grad;
  let next: Tensor;
  if (prev) next = math().add(prev, g);
  else if (owned.has(g.storage)) next = math().copy(g);
  else next = g;
  owned.add(next.storage);
  next.kept = true;
  t.grad = next;
  if (prev && prev !== next) prev.dispose();
}

function math(): GradMath {
  if (!gradMath) throw new AutogradError('backward: no ops are loaded to sum gradients with (import an op from tsgrad first)');
  return gradMath;
}
