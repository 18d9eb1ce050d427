/**
 * The recorded graph and the reverse-mode engine.
 *
 * Define-by-run: every differentiable op that sees an input requiring a gradient attaches a
 * `GradNode` to its output, naming its inputs and a closure that maps the output's gradient
 * to the inputs' gradients. `backward()` walks these nodes in reverse topological order, so
 * each node runs once, after every consumer of its output has contributed its gradient.
 */
import type { Tensor } from './tensor.ts';

/** One recorded op: the inputs it read and how to send a gradient back to them. */
export interface GradNode {
  /** The op's name, for error messages and for people reading the graph. */
  readonly op: string;
  /** The op's tensor inputs, in the order `backward` returns their gradients. */
  readonly inputs: readonly Tensor[];
  /** Gradient of the loss w.r.t. each input, given the gradient w.r.t. the output (null: none). */
  backward(gradOutput: Tensor): (Tensor | null)[];
}

let gradEnabled = true;

/** Whether ops currently record the graph. */
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

/**
 * Propagates `seed` (the gradient of the loss w.r.t. `root`) back through the graph and
 * accumulates into `.grad` of every leaf that requires a gradient.
 */
export function runBackward(root: Tensor, seed: Tensor): void {
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, seed);
  noGrad(() => {
    for (const t of reverseTopologicalOrder(root)) {
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t); // free intermediate gradients as soon as they are used
      if (!t.gradFn) {
        // A leaf owns its gradient: `g` may be shared with other leaves (add passes one
        // gradient to both inputs), and optimizers or clipGradNorm may rescale it in place.
        t.grad = t.grad ? t.grad.add(g) : g.clone();
        continue;
      }
      const inputGrads = t.gradFn.backward(g);
      t.gradFn.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        const prev = grads.get(input);
        // Diamonds: a tensor used twice receives the sum of both paths' gradients.
        grads.set(input, prev ? prev.add(gi) : gi);
      });
    }
  });
}
