/** CPU max-pooling kernels. Placeholder until the nn module lands. */
import type { Pool2dGeometry } from '../nn-kernels.ts';
import type { Storage } from '../../tensor/storage.ts';

const pending = (op: string) => new Error(`${op}: not yet implemented on the cpu backend`);
export function maxPool2d(_x: Storage, _g: Pool2dGeometry): { values: Float32Array; argmax: Float32Array } { throw pending('maxPool2d'); }
export function maxPool2dGrad(_dy: Storage, _argmax: Storage, _g: Pool2dGeometry): Float32Array { throw pending('maxPool2dGrad'); }
