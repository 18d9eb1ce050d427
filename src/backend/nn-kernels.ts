/**
 * Kernels behind the neural-network layers: 2-D convolution (forward, input gradient,
 * weight gradient) and max pooling. Images are NCHW, weights [outC, inC, kH, kW].
 */
import type { Storage } from '../tensor/storage.ts';

/** Geometry of one convolution, resolved once by the op and handed to every kernel. */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number; // input  [N, C, H, W]
  o: number; kh: number; kw: number;           // weight [O, C, kH, kW]
  stride: number; padding: number;
  oh: number; ow: number;                      // output [N, O, oH, oW]
}

/** Geometry of one max-pooling window sweep (no padding). */
export interface Pool2dGeometry {
  n: number; c: number; h: number; w: number;
  kernel: number; stride: number;
  oh: number; ow: number;
}

/**
 * What a convolution's forward pass may leave for its backward pass, so work is not done
 * twice. The op creates one per recorded call and passes it to both; a backend stores what
 * it likes in it (the cpu keeps the unrolled im2col columns) or ignores it. It lives exactly
 * as long as the recorded graph node.
 */
export interface ConvWorkspace {
  /** The cpu backend's unrolled input, [N, C·kH·kW, oH·oW]. */
  cols?: Float32Array;
}

/** What conv2dGradParams computes besides the weight gradient (see there). */
export interface ConvGradParamsWant<S = Storage> {
  /** Also the bias gradient. */
  bias: boolean;
  /** The output y of a conv fused with a ReLU: dy is masked by y > 0 first. */
  reluOutput: S | null;
  /** Return the masked dy (the input gradient reads it). */
  keepMaskedDy: boolean;
}

/** conv2dGradParams's result: `dy` is the masked one when asked for, else the one given. */
export interface ConvGradParams<S = Storage> {
  weight: S;
  bias: S | null;
  dy: S;
}

/** Kernels behind Conv2D and MaxPool2D. */
export interface NnKernels {
  /**
   * y[N,O,oH,oW] = conv(x, w) (+ bias[O]), through relu's max(y, 0) when `activation` is
   * 'relu' (a conv followed by ReLU, fused: the ReLU costs no pass of its own); `workspace`,
   * when given, may keep work for the backward.
   */
  conv2d(x: Storage, w: Storage, bias: Storage | null, g: Conv2dGeometry, workspace?: ConvWorkspace, activation?: 'relu'): Storage;
  /** dx[N,C,H,W] from dy[N,O,oH,oW] and w. */
  conv2dGradInput(dy: Storage, w: Storage, g: Conv2dGeometry): Storage;
  /** dw[O,C,kH,kW] from dy and x (or from what the forward left in `workspace`). */
  conv2dGradWeight(dy: Storage, x: Storage, g: Conv2dGeometry, workspace?: ConvWorkspace): Storage;
  /**
   * A conv's parameter gradients at once: dw, and db = Σ dy over N, oH, oW when `want.bias`.
   * With `want.reluOutput` (the output y of a conv fused with a ReLU) both come from
   * dy·[y > 0], returned as `dy` when `want.keepMaskedDy` (the input gradient needs it);
   * otherwise `dy` is the one given.
   */
  conv2dGradParams(dy: Storage, x: Storage, g: Conv2dGeometry, want: ConvGradParamsWant, workspace?: ConvWorkspace): ConvGradParams;
  /**
   * Max over each window; `argmax` holds, per output, the winning offset h·W + w inside its
   * input plane, as float32 so that a gpu backend can keep it on the device (exact below 2²⁴).
   */
  maxPool2d(x: Storage, g: Pool2dGeometry): { values: Storage; argmax: Storage };
  /** dx: each dy value added at the input position its window's maximum came from. */
  maxPool2dGrad(dy: Storage, argmax: Storage, g: Pool2dGeometry): Storage;
}
