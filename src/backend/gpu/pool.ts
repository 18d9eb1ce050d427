/**
 * GPU max pooling. The forward pass is one kernel map that writes each window's maximum
 * and, beside it, where it came from; the backward pass has each input position gather
 * the gradients of the windows whose maximum it was (a gather, since GLSL cannot scatter).
 */
import type { NnKernels, Pool2dGeometry } from '../nn-kernels.ts';
import type { Storage } from '../../tensor/storage.ts';
import { indexLines } from './codegen.ts';
import type { GpuRuntime } from './runtime.ts';

/** The pooling kernels of the gpu backend. */
export function poolKernels(rt: GpuRuntime): Pick<NnKernels, 'maxPool2d' | 'maxPool2dGrad'> {
  return {
    maxPool2d(x: Storage, g: Pool2dGeometry): { values: Storage; argmax: Storage } {
      const { h: H, w: W, kernel: K, stride: S, oh: OH, ow: OW } = g;
      const index = indexLines('this.thread.x', [g.n * g.c, OH, OW], [[H * W, 0, 0], [0, S * W, S]], ['plane', 'start']);
      // Strict `>` keeps the first maximum of a window; `v != v` lets a NaN win, as on the cpu.
      const src =
        `function (x) {\n${index}\nlet best = x[plane + start]; let at = start;\n` +
        `for (let i = 0; i < ${K}; i++) { for (let j = 0; j < ${K}; j++) {\n` +
        `const off = start + i * ${W} + j; const v = x[plane + off];\n` +
        'if (v > best || (v != v && best == best)) { best = v; at = off; }\n' +
        '} }\nsave_argmax(at);\nreturn best; }';
      const out = rt.runMap(src, ['argmax'], g.n * g.c * OH * OW, [x]);
      return { values: out.result, argmax: out.argmax };
    },

    maxPool2dGrad(dy: Storage, argmax: Storage, g: Pool2dGeometry): Storage {
      const { h: H, w: W, kernel: K, stride: S, oh: OH, ow: OW } = g;
      const index = indexLines('this.thread.x', [g.n * g.c, H, W], [[OH * OW, 0, 0], [0, 1, 0], [0, 0, 1]], ['plane', 'y', 'xx']);
      // Window (oy, ox) covers row y when y = oy·S + i for some 0 ≤ i < K; likewise columns.
      const src =
        `function (dy, argmax) {\n${index}\nconst at = y * ${W} + xx; let acc = 0;\n` +
        `for (let i = 0; i < ${K}; i++) { const ty = y - i; const oy = Math.floor(ty / ${S});\n` +
        `if (ty >= 0 && oy * ${S} == ty && oy < ${OH}) {\n` +
        `for (let j = 0; j < ${K}; j++) { const tx = xx - j; const ox = Math.floor(tx / ${S});\n` +
        `if (tx >= 0 && ox * ${S} == tx && ox < ${OW}) {\n` +
        `const q = plane + oy * ${OW} + ox; if (argmax[q] == at) { acc += dy[q]; }\n` +
        '} } } }\nreturn acc; }';
      return rt.run(src, g.n * g.c * H * W, [dy, argmax]);
    },
  };
}
