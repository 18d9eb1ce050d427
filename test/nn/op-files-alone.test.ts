/**
 * Each op file the layers added works imported on its own, in a fresh process where nothing
 * else of tsgrad is loaded (no Tensor methods attached, no backend chosen): forward and
 * backward run and give a gradient. This holds the op design's rule that backward closures
 * call op functions, never Tensor methods.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;

/** [op file, call using `op` (the module) and `T` (tensor.ts), returning the output to differentiate]. */
const cases: [string, string][] = [
  ['norm.ts', `op.layerNorm(op.groupNorm(op.batchNorm(x, null, null, null, null, { training: true }), 2), 4)`],
  ['embedding.ts', `op.embedding(new T.Tensor(new Int32Array([0, 2, 2]), [3], { dtype: 'int32' }), w, { paddingIdx: 0 })`],
  ['pool.ts', `op.adaptiveAvgPool2d(op.avgPool2d(x, 2, 1, 1), [2, 3])`],
  ['upsample.ts', `op.interpolate(op.interpolate(x, { scaleFactor: 2 }), { size: [3, 5], mode: 'bilinear' })`],
  ['conv-transpose.ts', `op.convTranspose2d(x, new T.Tensor(new Float32Array(4 * 3 * 9).fill(0.1), [4, 3, 3, 3]), null, { stride: 2 })`],
  ['conv1d.ts', `op.conv1d(seq, new T.Tensor(new Float32Array(3 * 4 * 3).fill(0.2), [3, 4, 3]), null, { padding: 1 })`],
  ['attention.ts', `op.attention(w, w, w, { attnMask: op.causalMask(5) })[0]`],
  ['unbind.ts', `op.unbind(x, 3)[1]`],
];

const script = (file: string, call: string) => `
  const T = await import('${root}src/tensor/tensor.ts');
  const op = await import('${root}src/ops/${file}');
  const x = new T.Tensor(Float32Array.from({ length: 96 }, (_, i) => Math.sin(i)), [2, 4, 3, 4], { requiresGrad: true });
  const w = new T.Tensor(Float32Array.from({ length: 20 }, (_, i) => Math.cos(i)), [5, 4], { requiresGrad: true });
  const seq = new T.Tensor(Float32Array.from({ length: 96 }, (_, i) => Math.cos(i / 3)), [2, 4, 12], { requiresGrad: true });
  if ('reshape' in x) throw new Error('Tensor methods are attached: something imported ops/methods.ts');
  const y = ${call};
  y.backward(new T.Tensor(new Float32Array(y.size).fill(1), y.shape));
  const g = [x.grad, w.grad, seq.grad].filter(Boolean);
  if (g.length === 0) throw new Error('no gradient reached an input');
  console.log('ok', JSON.stringify(y.shape));
`;

describe('new op files imported alone', () => {
  for (const [file, call] of cases) {
    it(file, () => {
      const r = spawnSync('npx', ['tsx', '--input-type=module', '-e', script(file, call)], { encoding: 'utf8', cwd: root });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^ok \[/);
    });
  }
});
