/** CPU convolution kernels (im2col + GEMM). Placeholder until the nn module lands. */
import type { Conv2dGeometry } from '../nn-kernels.ts';
import type { Storage } from '../../tensor/storage.ts';

const pending = (op: string) => new Error(`${op}: not yet implemented on the cpu backend`);
export function conv2d(_x: Storage, _w: Storage, _b: Storage | null, _g: Conv2dGeometry): Float32Array { throw pending('conv2d'); }
export function conv2dGradInput(_dy: Storage, _w: Storage, _g: Conv2dGeometry): Float32Array { throw pending('conv2dGradInput'); }
export function conv2dGradWeight(_dy: Storage, _x: Storage, _g: Conv2dGeometry): Float32Array { throw pending('conv2dGradWeight'); }
