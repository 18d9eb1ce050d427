/** GRU: gated recurrent unit layers over sequences. */
import type { Tensor } from '../../tensor/tensor.ts';
import { add, mul, sub } from '../../ops/arithmetic.ts';
import { sigmoid, tanh } from '../../ops/activation.ts';
import { chunk } from '../../ops/join.ts';
import { Recurrent, type RecurrentOptions } from './recurrent.ts';

/**
 * Each step of each layer, with the gates stacked as PyTorch stacks them (r, z, n):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h   (written n + z ⊙ (h − n))
 * forward(x, h0?) → [output, hN]: output holds the last layer's h at every step, hN the
 * final state of every layer [numLayers, N, H]. A missing h0 is zeros.
 */
export class GRU extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
  }

  protected step(layer: number, projected: Tensor, [h]: readonly Tensor[]): Tensor[] {
    const [xr, xz, xn] = chunk(projected, 3, 1);
    const [hr, hz, hn] = chunk(this.recurrent(layer, h), 3, 1);
    const r = sigmoid(add(xr, hr));
    const z = sigmoid(add(xz, hz));
    const n = tanh(add(xn, mul(r, hn)));
    return [add(n, mul(z, sub(h, n)))];
  }

  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const [output, [h]] = this.run(x, [h0 ?? null], ['h0']);
    return [output, h];
  }
}
