/**
 * Weight initialisation, as PyTorch does it for each layer, drawn from the seeded
 * generator so `manualSeed` makes a model's starting point reproducible.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { randomNormal, randomUniform } from '../tensor/random.ts';

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

/** Fills t in place with draws from N(mean, std²) (Embedding's default is N(0, 1)). */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * randomNormal();
  return t;
}

/** Fills t in place with `value` (normalisation layers start at weight 1, bias 0). */
export function constant(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

/**
 * Xavier (Glorot) uniform: U(±gain·√(6/(fanIn + fanOut))), which keeps the variance of
 * activations and of gradients alike; MultiheadAttention's packed projection starts so.
 */
export function xavierUniform(t: Tensor, fanIn: number, fanOut: number, gain = 1): Tensor {
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}
