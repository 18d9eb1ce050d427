/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with the weight decay taken out of the gradient.
 * With Adam's L2 term, the decay λ·θ is divided by √v̂ like the rest of the gradient, so
 * weights with large gradients are barely decayed. AdamW shrinks every weight by the same
 * factor, θ ← θ·(1 − lr·λ), before the Adam step — what "weight decay" means in plain SGD.
 */
import { AdamFamily, type AdamGroupOptions, type AdamOptions } from './adam.ts';
import type { Params } from './optimizer.ts';

/** AdamW's options: Adam's, with `weightDecay` (decoupled) defaulting to 0.01 as in PyTorch. */
export type AdamWOptions = AdamOptions;

/** Adam with decoupled weight decay. */
export class AdamW extends AdamFamily {
  constructor(params: Params<AdamGroupOptions>, options: AdamWOptions = {}) {
    super('AdamW', true, params, options, 1e-2);
  }
}
