/**
 * Weight initialisation, as PyTorch does it for Linear and Conv2d, drawn from the seeded
 * generator so `manualSeed` makes a model's starting point reproducible.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { randomUniform } from '../tensor/random.ts';

/** Fills t in place with draws from U(low, high). */
export function uniform(t: Tensor, low: number, high: number): Tensor {
  const d = t.data;
  const width = high - low;
  for (let i = 0; i < d.length; i++) d[i] = low + width * randomUniform();
  return t;
}

/**
 * Kaiming (He) uniform initialisation for a leaky-ReLU slope `a`: U(±bound) with
 * bound = √(6 / ((1 + a²)·fanIn)). PyTorch's default for layers uses a = √5, which makes
 * bound = 1/√fanIn.
 */
export function kaimingUniform(t: Tensor, fanIn: number, a = Math.sqrt(5)): Tensor {
  const bound = fanIn > 0 ? Math.sqrt(6 / ((1 + a * a) * fanIn)) : 0;
  return uniform(t, -bound, bound);
}

/** PyTorch's default bias initialisation: U(±1/√fanIn). */
export function biasUniform(t: Tensor, fanIn: number): Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(t, -bound, bound);
}
