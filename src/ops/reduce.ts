/** Reductions: sum, mean, max (all elements or along an axis, keepDim) and argmax. */
import { Tensor } from '../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../tensor/errors.ts';
import { normalizeAxis, sizeOf, type Shape } from '../tensor/shape.ts';
import { toHost } from '../tensor/storage.ts';
import { backend } from '../backend/registry.ts';
import { result } from './record.ts';
import { axisLayout } from './layout.ts';

/** Axis or axes to reduce; undefined reduces over every element. */
export type Axes = number | readonly number[] | undefined;

function resolveAxes(op: string, shape: Shape, axis: Axes): number[] {
  if (axis === undefined) return shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const axes = [...new Set(list.map((a) => normalizeAxis(op, a, shape.length)))].sort((a, b) => a - b);
  if (axes.length !== list.length) throw new RangeError(`${op}: repeated axis in [${list.join(',')}]`);
  return axes;
}

/** The reduced shape, with kept length-1 dimensions when keepDim. */
function reducedShape(shape: Shape, axes: number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDim) out.push(1);
  });
  return out;
}

/** Spreads a reduced gradient back over the input's shape (the backward of any sum). */
function expandBack(g: Tensor, inShape: Shape, axes: number[]): Tensor {
  const keptShape = reducedShape(inShape, axes, true);
  return new Tensor(backend().broadcastTo(g.storage, keptShape, inShape), inShape);
}

/** Sum over all elements, or over `axis` (a number or a list), keeping reduced dims as 1 when keepDim. */
export function sum(x: Tensor, axis?: Axes, keepDim = false): Tensor {
  const axes = resolveAxes('sum', x.shape, axis);
  const out = backend().sumAxes(x.storage, x.shape, axes);
  return result('sum', out, reducedShape(x.shape, axes, keepDim), [x], (g) => [expandBack(g, x.shape, axes)]);
}

/** Mean over all elements, or over `axis`. */
export function mean(x: Tensor, axis?: Axes, keepDim = false): Tensor {
  const axes = resolveAxes('mean', x.shape, axis);
  const count = sizeOf(axes.map((a) => x.shape[a]));
  if (count === 0) throw new ShapeError(`mean: cannot average over zero elements of shape ${fmtShape(x.shape)}`);
  const k = backend();
  const out = k.scalar('mul', k.sumAxes(x.storage, x.shape, axes), 1 / count, x.size / count);
  return result('mean', out, reducedShape(x.shape, axes, keepDim), [x], (g) => [expandBack(g, x.shape, axes).mul(1 / count)]);
}

/**
 * Maximum over all elements, or along `axis`. Along an axis the gradient goes to the first
 * maximal element; over all elements it is shared equally among ties — both as in PyTorch.
 */
export function max(x: Tensor, axis?: number, keepDim = false): Tensor {
  if (x.size === 0) throw new ShapeError(`max: cannot take the maximum of an empty tensor of shape ${fmtShape(x.shape)}`);
  if (axis === undefined) {
    const { values } = backend().maxAxis(x.storage, { outer: 1, n: x.size, inner: 1 });
    const shape = keepDim ? x.shape.map(() => 1) : [];
    const out: Tensor = result('max', values, shape, [x], (g) => {
      const xs = toHost(x.storage);
      const m = toHost(values)[0];
      let ties = 0;
      for (let i = 0; i < xs.length; i++) if (xs[i] === m) ties++;
      const share = g.item() / ties;
      const dx = new Float32Array(xs.length);
      for (let i = 0; i < xs.length; i++) if (xs[i] === m) dx[i] = share;
      return [new Tensor(backend().upload(dx), x.shape)];
    });
    return out;
  }
  const { axis: ax, layout } = axisLayout('max', x.shape, axis);
  const { values, indices } = backend().maxAxis(x.storage, layout);
  return result('max', values, reducedShape(x.shape, [ax], keepDim), [x], (g) => [
    new Tensor(backend().scatterAxis(g.storage, indices, layout), x.shape),
  ]);
}

/** Index of the maximum along `axis` (first one on ties), as a float32 tensor of whole numbers. */
export function argmax(x: Tensor, axis?: number): Tensor {
  if (x.size === 0) throw new ShapeError(`argmax: empty tensor of shape ${fmtShape(x.shape)}`);
  if (axis === undefined) {
    const { indices } = backend().maxAxis(x.storage, { outer: 1, n: x.size, inner: 1 });
    return new Tensor(Float32Array.from(indices), []);
  }
  const { axis: ax, layout } = axisLayout('argmax', x.shape, axis);
  const { indices } = backend().maxAxis(x.storage, layout);
  return new Tensor(Float32Array.from(indices), reducedShape(x.shape, [ax], false));
}
