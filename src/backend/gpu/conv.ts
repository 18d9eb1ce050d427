/**
 * GPU convolution kernels, written directly rather than as im2col + matmul: a fragment
 * shader has no shared memory to tile a GEMM with, so the unrolled column matrix would
 * only add a full write and read of K·P values per image (see the measurement in
 * bench/gpu.ts). Each thread computes one output element; bounds checks are generated
 * only when padding can put a read outside the image, divisibility checks only for stride > 1.
 */
import type { Conv2dGeometry, ConvGradParamsWant, ConvWorkspace, NnKernels } from '../nn-kernels.ts';
import { program } from '../program.ts';
import type { Storage } from '../../tensor/storage.ts';
import { indexLines } from './codegen.ts';
import { reduce, sumRun } from './reduce.ts';
import type { GpuRuntime } from './runtime.ts';
import { runProgram } from './program.ts';

/** Source of the forward convolution, optionally adding bias[o]. */
function forwardSource(g: Conv2dGeometry, withBias: boolean): string {
  const { c: C, h: H, w: W, kh: KH, kw: KW, stride: S, padding: P, o: O, oh: OH, ow: OW } = g;
  const index = indexLines(
    'this.thread.x', [g.n, O, OH, OW],
    [[C * H * W, 0, 0, 0], [0, C * KH * KW, 0, 0], [0, 1, 0, 0], [0, 0, S, 0], [0, 0, 0, S]],
    ['xBase', 'wBase', 'oc', 'iy0', 'ix0'],
  );
  const rowCheck = P > 0 ? `if (y >= 0 && y < ${H}) {` : '{';
  const colCheck = P > 0 ? `if (xx >= 0 && xx < ${W}) {` : '{';
  return (
    `function (x, w${withBias ? ', bias' : ''}) {\n${index}\n` +
    `let acc = ${withBias ? 'bias[oc]' : '0'};\n` +
    `for (let c = 0; c < ${C}; c++) {\n` +
    `for (let ky = 0; ky < ${KH}; ky++) { const y = iy0 - ${P} + ky; ${rowCheck}\n` +
    `for (let kx = 0; kx < ${KW}; kx++) { const xx = ix0 - ${P} + kx; ${colCheck}\n` +
    `acc += x[xBase + c * ${H * W} + y * ${W} + xx] * w[wBase + c * ${KH * KW} + ky * ${KW} + kx];\n` +
    '} } } } }\nreturn acc; }'
  );
}

/**
 * Lines that, for input coordinate `coord` and kernel offset `k`, set `name` to the output
 * coordinate whose window reads it there, and `nameOk` to whether that output exists:
 * coord + P − k must be a multiple of the stride S, and its quotient inside [0, outSize).
 */
function outputCoordinate(name: string, coord: string, k: string, P: number, S: number, outSize: number): string {
  if (S === 1) return `const ${name} = ${coord} + ${P} - ${k}; const ${name}Ok = ${name} >= 0 && ${name} < ${outSize};`;
  return (
    `const t${name} = ${coord} + ${P} - ${k}; const ${name} = Math.floor(t${name} / ${S});` +
    ` const ${name}Ok = t${name} >= 0 && ${name} * ${S} == t${name} && ${name} < ${outSize};`
  );
}

/** Source of dx[N,C,H,W] = Σ over the outputs whose window covers each input, of dy · w. */
function gradInputSource(g: Conv2dGeometry): string {
  const { c: C, h: H, w: W, kh: KH, kw: KW, stride: S, padding: P, o: O, oh: OH, ow: OW } = g;
  const index = indexLines(
    'this.thread.x', [g.n, C, H, W],
    [[O * OH * OW, 0, 0, 0], [0, KH * KW, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
    ['dyBase', 'wBase', 'y', 'xx'],
  );
  return (
    `function (dy, w) {\n${index}\nlet acc = 0;\n` +
    `for (let ky = 0; ky < ${KH}; ky++) { ${outputCoordinate('oy', 'y', 'ky', P, S, OH)}\n` +
    'if (oyOk) {\n' +
    `for (let kx = 0; kx < ${KW}; kx++) { ${outputCoordinate('ox', 'xx', 'kx', P, S, OW)}\n` +
    'if (oxOk) {\n' +
    `for (let o = 0; o < ${O}; o++) {\n` +
    `acc += dy[dyBase + o * ${OH * OW} + oy * ${OW} + ox] * w[wBase + o * ${C * KH * KW} + ky * ${KW} + kx];\n` +
    '} } } } }\nreturn acc; }'
  );
}

/**
 * Source of one image's share of dw: partial[n, o, c, ky, kx] = Σ_oy,ox dy · x. The batch is
 * summed afterwards, so the work spreads over N·|w| threads instead of |w| (often only a
 * few hundred, too few to keep a GPU busy).
 */
function gradWeightPartialSource(g: Conv2dGeometry): string {
  const { c: C, h: H, w: W, kh: KH, kw: KW, stride: S, padding: P, o: O, oh: OH, ow: OW } = g;
  const index = indexLines(
    'this.thread.x', [g.n, O, C, KH, KW],
    [[O * OH * OW, OH * OW, 0, 0, 0], [C * H * W, 0, H * W, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]],
    ['dyBase', 'xBase', 'ky', 'kx'],
  );
  const rowCheck = P > 0 ? `if (y >= 0 && y < ${H}) {` : '{';
  const colCheck = P > 0 ? `if (xx >= 0 && xx < ${W}) {` : '{';
  return (
    `function (dy, x) {\n${index}\nlet acc = 0;\n` +
    `for (let oy = 0; oy < ${OH}; oy++) { const y = oy * ${S} - ${P} + ky; ${rowCheck}\n` +
    `for (let ox = 0; ox < ${OW}; ox++) { const xx = ox * ${S} - ${P} + kx; ${colCheck}\n` +
    `acc += dy[dyBase + oy * ${OW} + ox] * x[xBase + y * ${W} + xx];\n` +
    '} } } }\nreturn acc; }'
  );
}

/** The convolution kernels of the gpu backend. */
export function convKernels(rt: GpuRuntime): Pick<NnKernels, 'conv2d' | 'conv2dGradInput' | 'conv2dGradWeight' | 'conv2dGradParams'> {
  const gradWeight = (dy: Storage, x: Storage, g: Conv2dGeometry): Storage => {
    const wSize = g.o * g.c * g.kh * g.kw;
    const partial = rt.run(gradWeightPartialSource(g), g.n * wSize, [dy, x]);
    return g.n === 1 ? partial : sumRun(rt, partial, 1, g.n, wSize);
  };
  return {
    conv2d(x: Storage, w: Storage, bias: Storage | null, g: Conv2dGeometry, _workspace?: ConvWorkspace, activation?: 'relu'): Storage {
      const size = g.n * g.o * g.oh * g.ow;
      const y = rt.run(forwardSource(g, bias !== null), size, bias ? [x, w, bias] : [x, w]);
      if (activation !== 'relu') return y;
      // The relu op's own program, so that the fused form gives what conv then relu gives.
      return runProgram(rt, program('max(x, 0)'), { x: { storage: y, shape: [size], dtype: 'float32' } }, [size]).out;
    },

    conv2dGradInput(dy: Storage, w: Storage, g: Conv2dGeometry): Storage {
      return rt.run(gradInputSource(g), g.n * g.c * g.h * g.w, [dy, w]);
    },

    conv2dGradWeight(dy: Storage, x: Storage, g: Conv2dGeometry): Storage {
      return gradWeight(dy, x, g);
    },

    conv2dGradParams(dy: Storage, x: Storage, g: Conv2dGeometry, want: ConvGradParamsWant) {
      // Composed from the kernels above and the relu's own backward program.
      const size = g.n * g.o * g.oh * g.ow;
      const masked = want.reluOutput
        ? runProgram(rt, program('dy * (y > 0)'), {
          dy: { storage: dy, shape: [size], dtype: 'float32' }, y: { storage: want.reluOutput, shape: [size], dtype: 'float32' },
        }, [size]).out
        : dy;
      return {
        weight: gradWeight(masked, x, g),
        bias: want.bias ? reduce(rt, 'sum', masked, [g.n, g.o, g.oh * g.ow], [0, 2]) : null,
        dy: want.keepMaskedDy ? masked : dy,
      };
    },
  };
}
