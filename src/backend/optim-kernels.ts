/**
 * One fused update kernel per optimizer: the parameter and its state are updated in one
 * pass over the elements, with no temporary tensors. Each kernel takes the storages of the
 * parameter, its gradient and its state buffers, plus the step's scalars, and returns the
 * storages that now hold the new values. The cpu backend updates its Float32Arrays in place
 * and returns them; a gpu backend returns new textures. The optimizer stores whatever comes
 * back (`param.storage = out.param`), so both work the same way.
 *
 * The formulas are PyTorch's; `docs/optimizers.md` derives them and says where textbooks differ.
 */
import type { Storage } from '../tensor/storage.ts';

/** Scalars of one SGD step (with momentum, dampening, Nesterov and L2 weight decay). */
export interface SgdStepOptions {
  /** Learning rate. */
  lr: number;
  /** Momentum factor μ; 0 means plain gradient descent and no buffer is read or written. */
  momentum: number;
  /** Dampening τ: the new gradient enters the buffer scaled by (1 − τ). */
  dampening: number;
  /**
   * Step along the buffer's next value instead of the buffer itself: d = μ·b + (1 − τ)·g.
   * With τ = 0 (the only case PyTorch allows) this is PyTorch's g + μ·b.
   */
  nesterov: boolean;
  /** L2 penalty λ, added to the gradient as λ·θ. */
  weightDecay: number;
  /** The buffer holds nothing yet: set b = g instead of b = μ·b + (1 − τ)·g (PyTorch's first step). */
  firstStep: boolean;
}

/** Scalars of one AdaGrad step. */
export interface AdagradStepOptions {
  /** Learning rate for this step, already decayed: lr / (1 + (t − 1)·lrDecay). */
  lr: number;
  /** L2 penalty λ, added to the gradient as λ·θ. */
  weightDecay: number;
  /** Added to √(sum of squares) in the denominator. */
  eps: number;
}

/** Scalars of one RMSprop step. */
export interface RmspropStepOptions {
  /** Learning rate. */
  lr: number;
  /** Smoothing constant α of the squared-gradient average. */
  alpha: number;
  /** Added to the square root in the denominator. */
  eps: number;
  /** L2 penalty λ, added to the gradient as λ·θ. */
  weightDecay: number;
  /** Momentum μ of the normalised step; 0 means no momentum buffer. */
  momentum: number;
  /** Divide by the estimated standard deviation (v − ḡ²) instead of the raw second moment. */
  centered: boolean;
}

/** Scalars of one Adam / AdamW step. */
export interface AdamStepOptions {
  /** Learning rate. */
  lr: number;
  /** Decay rate β₁ of the first-moment average. */
  beta1: number;
  /** Decay rate β₂ of the second-moment average. */
  beta2: number;
  /** Added to the bias-corrected √v̂ in the denominator. */
  eps: number;
  /** λ: an L2 penalty added to the gradient (Adam), or decoupled decay θ ← θ·(1 − lr·λ) (AdamW). */
  weightDecay: number;
  /** Apply `weightDecay` as AdamW's decoupled decay instead of an L2 gradient term. */
  decoupled: boolean;
  /** Normalise by the running maximum of v (AMSGrad) instead of v itself. */
  amsgrad: boolean;
  /** First-moment bias correction 1 − β₁ᵗ for this step. */
  biasCorrection1: number;
  /** Second-moment bias correction 1 − β₂ᵗ for this step. */
  biasCorrection2: number;
}

/** The storages an SGD step leaves behind. */
export interface SgdStepResult {
  /** The updated parameter. */
  param: Storage;
  /** The updated momentum buffer (null without momentum). */
  momentumBuffer: Storage | null;
}

/** The storages an AdaGrad step leaves behind. */
export interface AdagradStepResult {
  /** The updated parameter. */
  param: Storage;
  /** The updated sum of squared gradients. */
  sum: Storage;
}

/** The storages an RMSprop step leaves behind. */
export interface RmspropStepResult {
  /** The updated parameter. */
  param: Storage;
  /** The updated average of g². */
  squareAvg: Storage;
  /** The updated average of g (null unless centered). */
  gradAvg: Storage | null;
  /** The updated momentum buffer (null without momentum). */
  momentumBuffer: Storage | null;
}

/** The storages an Adam step leaves behind. */
export interface AdamStepResult {
  /** The updated parameter. */
  param: Storage;
  /** The updated first moment m. */
  expAvg: Storage;
  /** The updated second moment v. */
  expAvgSq: Storage;
  /** The updated running maximum of v (null without amsgrad). */
  maxExpAvgSq: Storage | null;
}

/** Kernels behind `src/optim/`. */
export interface OptimKernels {
  /**
   * SGD: g ← g + λθ; b ← μb + (1 − τ)g (b ← g on the first step); d = nesterov ? μb + (1 − τ)g : b;
   * θ ← θ − lr·d. With μ = 0: θ ← θ − lr·g. `momentumBuffer` must be given when μ ≠ 0.
   * Also runs `Momentum`: classical is τ = 0, ema is τ = μ with a zero buffer and no first-step rule.
   */
  sgdStep(param: Storage, grad: Storage, momentumBuffer: Storage | null, options: SgdStepOptions): SgdStepResult;
  /** AdaGrad: g ← g + λθ; s ← s + g²; θ ← θ − lr·g / (√s + ε). */
  adagradStep(param: Storage, grad: Storage, sum: Storage, options: AdagradStepOptions): AdagradStepResult;
  /**
   * RMSprop: g ← g + λθ; v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g, ṽ = v − ḡ²;
   * d = g / (√ṽ + ε); with momentum b ← μb + d, θ ← θ − lr·b, else θ ← θ − lr·d.
   * `gradAvg` must be given when centered, `momentumBuffer` when μ > 0.
   */
  rmspropStep(
    param: Storage, grad: Storage, squareAvg: Storage, gradAvg: Storage | null, momentumBuffer: Storage | null,
    options: RmspropStepOptions,
  ): RmspropStepResult;
  /**
   * Adam / AdamW: (L2: g ← g + λθ | decoupled: θ ← θ(1 − lr·λ)); m ← β₁m + (1 − β₁)g;
   * v ← β₂v + (1 − β₂)g²; (amsgrad: v_max ← max(v_max, v), use v_max);
   * θ ← θ − (lr / bc₁)·m / (√v / √bc₂ + ε). `maxExpAvgSq` must be given with amsgrad.
   */
  adamStep(
    param: Storage, grad: Storage, expAvg: Storage, expAvgSq: Storage, maxExpAvgSq: Storage | null,
    options: AdamStepOptions,
  ): AdamStepResult;
}
