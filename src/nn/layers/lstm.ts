/** LSTM: long short-term memory layers over sequences. */
import type { Tensor } from '../../tensor/tensor.ts';
import { add, mul } from '../../ops/arithmetic.ts';
import { sigmoid, tanh } from '../../ops/activation.ts';
import { chunk } from '../../ops/join.ts';
import { Recurrent, type RecurrentOptions } from './recurrent.ts';

/**
 * Each step of each layer, with the gates stacked as PyTorch stacks them (i, f, g, o):
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(…f…)    g = tanh(…g…)    o = σ(…o…)
 *   c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
 * forward(x, [h0, c0]?) → [output, [hN, cN]]: output holds the last layer's h at every step
 * ([T, N, H], or [N, T, H] with batchFirst), hN and cN the final states of every layer
 * [numLayers, N, H]. Missing initial states are zeros.
 */
export class LSTM extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  protected step(layer: number, projected: Tensor, [h, c]: readonly Tensor[]): Tensor[] {
    const [i, f, g, o] = chunk(add(projected, this.recurrent(layer, h)), 4, 1);
    const cNext = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
    return [mul(sigmoid(o), tanh(cNext)), cNext];
  }

  forward(x: Tensor, initial?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (initial !== undefined && initial !== null && (!Array.isArray(initial) || initial.length !== 2)) {
      throw new TypeError('LSTM: the initial state must be [h0, c0]');
    }
    const [output, [h, c]] = this.run(x, initial ? [initial[0], initial[1]] : [null, null], ['h0', 'c0']);
    return [output, [h, c]];
  }
}
