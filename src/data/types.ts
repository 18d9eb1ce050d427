/**
 * Plain typed-array shapes shared by the raw readers. They deliberately avoid the
 * Tensor class so the readers stay at the bottom of the dependency order; the
 * public loaders wrap `images` with `tensor(images, { shape })`.
 */

/** A labelled image set in NCHW layout: pixels in [0, 1], one int label per image. */
export interface RawImageSet {
  /** N*C*H*W float32 pixels, row-major, scaled from bytes by 1/255. */
  images: Float32Array;
  /** [N, C, H, W]. */
  shape: [number, number, number, number];
  /** N class indices. */
  labels: Int32Array;
}

/** Which half of a dataset to load. */
export type Split = 'train' | 'test';
