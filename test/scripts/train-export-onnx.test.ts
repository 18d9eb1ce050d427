/**
 * npm run train -- --export-onnx: the file the CLI writes after training runs in onnxruntime
 * and gives what the trained weights (the model.safetensors of the same run, loaded into a
 * fresh model) give in tsgrad, at batch sizes 1 and 7.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { cnn } from '../../src/train/zoo.ts';
import { runOnnx } from '../onnx/helpers/ort.ts';
import { relativeError } from '../onnx/helpers/close.ts';
import { checkerViolations, decodeModel } from '../onnx/helpers/decode.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-onnx-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run train -- --export-onnx', () => {
  it('writes an ONNX file of the trained model that onnxruntime runs at any batch size', async () => {
    const file = join(tmp, 'out', 'mnist-cnn.onnx');
    const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--model', 'cnn', '--train-size', '256', '--test-size', '100', '--epochs', '1', '--no-progress',
      '--out-dir', tmp, '--name', 'run', '--export-onnx', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Wrote ${file} (ONNX)`);
    const bytes = new Uint8Array(readFileSync(file));
    const decoded = decodeModel(bytes);
    expect(checkerViolations(decoded)).toEqual([]);
    expect(decoded.graph.inputs.map((i) => i.dims)).toEqual([['batch', 1, 28, 28]]);

    const model = cnn([1, 28, 28]);
    tg.io.load(model, join(tmp, 'run', 'model.safetensors'));
    model.eval();
    for (const n of [1, 7]) {
      const x = tg.randn([n, 1, 28, 28]);
      const got = await runOnnx(bytes, { input: x });
      expect(relativeError(got.output, model.forward(x))).toBeLessThanOrEqual(1e-5);
    }
    // Written atomically: nothing but the file itself is left in its folder.
    expect(readdirSync(join(tmp, 'out'))).toEqual(['mnist-cnn.onnx']);
  }, 120_000);
});
