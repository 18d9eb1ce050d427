/**
 * Parity cases for the convolution and pooling kernels against the cpu backend: odd sizes,
 * non-square kernels, strides that skip input, zero padding wider than the kernel reach,
 * 1×1 kernels and single-pixel outputs.
 */
import { it } from 'vitest';
import type { Backend } from '../../../src/backend/backend.ts';
import type { Conv2dGeometry, Pool2dGeometry } from '../../../src/backend/nn-kernels.ts';
import { abs, cpu, expectClose, outSize, random, sumBound } from './support.ts';

type ConvSpec = Omit<Conv2dGeometry, 'oh' | 'ow'>;

function conv(spec: ConvSpec): Conv2dGeometry {
  return { ...spec, oh: outSize(spec.h, spec.kh, spec.stride, spec.padding), ow: outSize(spec.w, spec.kw, spec.stride, spec.padding) };
}

function pool(spec: Omit<Pool2dGeometry, 'oh' | 'ow'>): Pool2dGeometry {
  return { ...spec, oh: outSize(spec.h, spec.kernel, spec.stride, 0), ow: outSize(spec.w, spec.kernel, spec.stride, 0) };
}

/** Registers the conv/pool parity tests for the backend `gpu()` returns. */
export function nnCases(gpu: () => Backend, large: boolean): void {
  const specs: ConvSpec[] = [
    { n: 2, c: 3, h: 9, w: 8, o: 4, kh: 3, kw: 3, stride: 1, padding: 0 },
    { n: 2, c: 3, h: 9, w: 8, o: 5, kh: 3, kw: 2, stride: 2, padding: 1 },  // non-square kernel, stride 2
    { n: 1, c: 2, h: 7, w: 7, o: 3, kh: 3, kw: 3, stride: 3, padding: 2 },  // padding reaches past the kernel
    { n: 3, c: 4, h: 5, w: 6, o: 2, kh: 1, kw: 1, stride: 1, padding: 0 },  // 1×1
    { n: 1, c: 1, h: 4, w: 4, o: 1, kh: 4, kw: 4, stride: 1, padding: 0 },  // a single output pixel
  ];
  // MNIST-like first layer: 8·8·28·28 = 50 176 outputs, a multi-row texture.
  if (large) specs.push({ n: 8, c: 1, h: 28, w: 28, o: 8, kh: 5, kw: 5, stride: 1, padding: 2 });

  it('conv2d forward (with and without bias), input gradient and weight gradient match', () => {
    specs.forEach((spec, c) => {
      const g = conv(spec);
      const label = `conv ${JSON.stringify(spec)}`;
      const x = random(g.n * g.c * g.h * g.w, 100 + c);
      const w = random(g.o * g.c * g.kh * g.kw, 200 + c);
      const bias = random(g.o, 300 + c);
      const dy = random(g.n * g.o * g.oh * g.ow, 400 + c);
      const fwdTerms = g.c * g.kh * g.kw + 1;
      expectClose(gpu().conv2d(x, w, bias, g), cpu.conv2d(x, w, bias, g), `${label} forward`,
        { bound: sumBound(cpu.conv2d(abs(x), abs(w), abs(bias), g), fwdTerms) });
      expectClose(gpu().conv2d(x, w, null, g), cpu.conv2d(x, w, null, g), `${label} forward without bias`,
        { bound: sumBound(cpu.conv2d(abs(x), abs(w), null, g), fwdTerms) });
      expectClose(gpu().conv2dGradInput(dy, w, g), cpu.conv2dGradInput(dy, w, g), `${label} input gradient`,
        { bound: sumBound(cpu.conv2dGradInput(abs(dy), abs(w), g), g.o * g.kh * g.kw) });
      expectClose(gpu().conv2dGradWeight(dy, x, g), cpu.conv2dGradWeight(dy, x, g), `${label} weight gradient`,
        { bound: sumBound(cpu.conv2dGradWeight(abs(dy), abs(x), g), g.n * g.oh * g.ow) });
    });
  });

  it('maxPool2d values, argmax (first of ties) and gradient match, with overlapping and gapped windows', () => {
    const specs2 = [
      { n: 2, c: 3, h: 9, w: 8, kernel: 2, stride: 2 },
      { n: 2, c: 3, h: 9, w: 8, kernel: 3, stride: 2 },  // overlapping: gradients add
      { n: 1, c: 2, h: 7, w: 7, kernel: 2, stride: 3 },  // gaps between windows
      { n: 1, c: 1, h: 5, w: 5, kernel: 5, stride: 1 },
    ];
    if (large) specs2.push({ n: 8, c: 8, h: 28, w: 28, kernel: 2, stride: 2 });
    specs2.forEach((spec, c) => {
      const g = pool(spec);
      // Rounded values: many ties inside windows.
      const x = random(g.n * g.c * g.h * g.w, 500 + c, -2, 2).map(Math.round);
      // A NaN wins its windows (as in PyTorch), on both backends.
      x[3] = NaN;
      const got = gpu().maxPool2d(x, g), want = cpu.maxPool2d(x, g);
      expectClose(got.values, want.values, `maxPool2d values ${JSON.stringify(spec)}`);
      expectClose(got.argmax, want.argmax, `maxPool2d argmax ${JSON.stringify(spec)}`);
      const dy = random(g.n * g.c * g.oh * g.ow, 600 + c);
      expectClose(gpu().maxPool2dGrad(dy, got.argmax, g), cpu.maxPool2dGrad(dy, want.argmax, g), `maxPool2dGrad ${JSON.stringify(spec)}`);
    });
  });
}
