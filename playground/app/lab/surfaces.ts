/**
 * The lab's loss surfaces, each written once, with tensor ops on two tensors x and y. The
 * race calls them on the two entries of a 2-element parameter tensor and gets gradients
 * from tsgrad's autograd; the contour plot calls them on a whole grid at once. Nothing
 * here computes a derivative by hand.
 */
import type * as tg from 'tsgrad';

export interface Surface {
  id: string;
  title: string;
  /** The formula as the page shows it. */
  formula: string;
  /** The loss, elementwise over x and y. */
  f(x: tg.Tensor, y: tg.Tensor): tg.Tensor;
  /** The lowest value f takes (the loss chart plots L − this, on a log scale). */
  minValue: number;
  minima: [number, number][];
  start: [number, number];
  view: { x: [number, number]; y: [number, number] };
  lr: number;
  momentum: number;
  steps: number;
  /** σ of the noise added to the gradient at each step (the noisy variant). */
  noise?: number;
  note: string;
}

const quadratic = (x: tg.Tensor, y: tg.Tensor): tg.Tensor => x.sub(1).pow(2).add(y.sub(2).pow(2));

export const SURFACES: Surface[] = [
  {
    id: 'quadratic',
    title: 'Worked example: a round bowl',
    formula: 'L(θ) = (θ₁ − 1)² + (θ₂ − 2)²',
    f: quadratic,
    minValue: 0,
    minima: [[1, 2]],
    start: [0.5, 0.5],
    view: { x: [0, 2], y: [0.25, 2.75] },
    lr: 0.01,
    momentum: 0.9,
    steps: 400,
    note: 'The tutorials\' example: from (0.5, 0.5), lr 0.01, γ 0.9. Momentum overshoots and comes back; the adaptive methods first move diagonally.',
  },
  {
    id: 'rosenbrock',
    title: 'Rosenbrock\'s valley',
    formula: 'f = (1 − x)² + 100 (y − x²)²',
    f: (x, y) => x.neg().add(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)),
    minValue: 0,
    minima: [[1, 1]],
    start: [-1.2, 1],
    view: { x: [-1.5, 1.5], y: [-0.5, 2] },
    lr: 0.001,
    momentum: 0.9,
    steps: 1000,
    note: 'The gradient points across the narrow curved valley, not along it: plain SGD reaches the floor and crawls.',
  },
  {
    id: 'beale',
    title: 'Beale\'s function',
    formula: 'f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    f: (x, y) => {
      const term = (c: number, yk: tg.Tensor): tg.Tensor => x.mul(yk).sub(x).add(c).pow(2);
      return term(1.5, y).add(term(2.25, y.pow(2))).add(term(2.625, y.pow(3)));
    },
    minValue: 0,
    minima: [[3, 0.5]],
    start: [1, 1.4],
    view: { x: [-1, 4.5], y: [-1.5, 2] },
    lr: 0.001,
    momentum: 0.9,
    steps: 1000,
    note: 'Flat plateaus and steep walls: steps sized by the gradient stall on the flats.',
  },
  {
    id: 'saddle',
    title: 'A saddle point',
    formula: 'f = x² + y⁴ − 2y²',
    f: (x, y) => x.pow(2).add(y.pow(4)).sub(y.pow(2).mul(2)),
    minValue: -1,
    minima: [[0, 1], [0, -1]],
    start: [-1.4, 0.005],
    view: { x: [-1.6, 1.6], y: [-1.6, 1.6] },
    lr: 0.01,
    momentum: 0.9,
    steps: 400,
    note: 'Started almost on the ridge, the gradient barely points off it: methods that rescale small gradients escape the saddle at (0, 0) first.',
  },
  {
    id: 'himmelblau',
    title: 'Himmelblau\'s function',
    formula: 'f = (x² + y − 11)² + (x + y² − 7)²',
    f: (x, y) => x.pow(2).add(y).sub(11).pow(2).add(x.add(y.pow(2)).sub(7).pow(2)),
    minValue: 0,
    minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]],
    start: [-0.3, -0.6],
    view: { x: [-5, 5], y: [-5, 5] },
    lr: 0.01,
    momentum: 0.9,
    steps: 400,
    note: 'Four minima, all with f = 0: from near the central peak, different optimizers end in different valleys.',
  },
  {
    id: 'noisy',
    title: 'The bowl, with noisy gradients',
    formula: 'L(θ) = (θ₁ − 1)² + (θ₂ − 2)² + σ ξᵀθ, ξ ~ N(0, I) fresh each step, σ = 2',
    f: quadratic,
    minValue: 0,
    minima: [[1, 2]],
    start: [0.5, 0.5],
    view: { x: [0, 2], y: [0.25, 2.75] },
    lr: 0.01,
    momentum: 0.9,
    steps: 600,
    noise: 2,
    note: 'Like a mini-batch gradient: every optimizer sees the same noise. Averaging (momentum, Adam\'s first moment) smooths the path.',
  },
];

export function findSurface(id: string | null): Surface | undefined {
  return SURFACES.find((s) => s.id === id);
}
