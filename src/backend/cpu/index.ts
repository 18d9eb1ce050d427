/**
 * The cpu backend: typed-array kernels, with a WebAssembly SIMD GEMM where it pays. Kernels
 * here receive host arrays only: a storage from another backend is downloaded first.
 */
import type { Backend } from '../backend.ts';
import { isHost, toHost, type Storage } from '../../tensor/storage.ts';
import type { HostArray } from '../../tensor/dtype.ts';
import { runProgram } from './program.ts';
import { argReduce, reduce } from './reduce.ts';
import { concat, gather, pad, scatterAdd, strided } from './movement.ts';
import { softmax, softmaxGrad } from './softmax.ts';
import { matmul } from './matmul.ts';
import { conv2d, conv2dGradInput, conv2dGradParams, conv2dGradWeight } from './conv.ts';
import { maxPool2d, maxPool2dGrad } from './pool.ts';
import { residentFloat32Source } from './resident.ts';
import { setFloat32Source } from '../../tensor/host-pool.ts';

/** A host array of the storage (device data from another backend is downloaded, as float32). */
function host(s: Storage): HostArray {
  return isHost(s) ? s : toHost(s);
}

function hostInt(s: Storage): Int32Array {
  return s instanceof Int32Array ? s : Int32Array.from(host(s));
}

export function createCpuBackend(): Backend {
  // Large float32 arrays made inside tidy come from the kernels' shared memory (resident.ts).
  setFloat32Source(residentFloat32Source);
  return {
    name: 'cpu',
    mode: 'typed arrays',
    upload: (data) => data,
    elementwise: (p, args, outShape, inPlace) => {
      // Arguments already on the host (nearly always) pass as they are; no copy of `args`.
      let copied: Record<string, (typeof args)[string]> | null = null;
      for (const k in args) {
        const a = args[k];
        if (typeof a === 'number' || isHost(a.storage)) continue;
        copied ??= { ...args };
        copied[k] = { ...a, storage: host(a.storage) };
      }
      return runProgram(p, copied ?? args, outShape, inPlace);
    },
    reduce: (op, x, shape, axes, dtype, outDtype) => reduce(op, host(x), shape, axes, dtype, outDtype),
    argReduce: (op, x, layout) => argReduce(op, host(x), layout),
    strided: (x, dtype, outShape, strides, offset) => strided(host(x), dtype, outShape, strides, offset),
    pad: (x, dtype, shape, outShape, begin) => pad(host(x), dtype, shape, outShape, begin),
    concat: (parts, shapes, axis, dtype) => concat(parts.map(host), shapes, axis, dtype),
    gather: (x, xShape, dtype, axis, index, indexShape, outShape) => gather(host(x), xShape, dtype, axis, hostInt(index), indexShape, outShape),
    scatterAdd: (src, srcShape, axis, index, indexShape, outShape) => scatterAdd(toHost(src), srcShape, axis, hostInt(index), indexShape, outShape),
    matmul,
    softmax,
    softmaxGrad,
    conv2d,
    conv2dGradInput,
    conv2dGradWeight,
    conv2dGradParams,
    maxPool2d,
    maxPool2dGrad,
  };
}
