import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs an example in its quick mode (TSGRAD_QUICK=1), as a user would with npx tsx. */
function runExample(file: string, ...args: string[]) {
  const r = spawnSync('npx', ['tsx', `examples/${file}`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TSGRAD_QUICK: '1' },
  });
  expect(r.status, `${file} failed:\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const accuracyOf = (out: string) => Number(/test accuracy (\d+\.\d\d)%/.exec(out)?.[1]);

describe('examples (quick mode)', () => {
  it('linear-regression: every optimizer lowers the MSE from the shared starting point', () => {
    const out = runExample('linear-regression.ts');
    const mse = (line: string) => Number(line.trim().split(/\s{2,}/)[1]);
    const rows = out.split('\n').filter((l) => /^(SGD|Momentum|AdaGrad|RMSprop|Adam|AdamW) /.test(l));
    const initial = mse(out.split('\n').find((l) => l.startsWith('(initial weights)'))!);
    expect(rows.length).toBe(6);
    expect(initial).toBeGreaterThan(1);
    for (const row of rows) expect(mse(row), row).toBeLessThan(initial);
    expect(out).toMatch(/least squares \(exact\)\s+9\.\d+e-5/); // the noise variance, 0.01²
  });

  it('mnist-mlp trains and reports a test accuracy above chance', () => {
    expect(accuracyOf(runExample('mnist-mlp.ts'))).toBeGreaterThan(50);
  });

  it('mnist-cnn trains and reports a test accuracy above chance', () => {
    expect(accuracyOf(runExample('mnist-cnn.ts'))).toBeGreaterThan(20);
  });

  it('cifar10-cnn: without the data it explains how to fetch it and exits 0; --synthetic runs', () => {
    const out = runExample('cifar10-cnn.ts');
    expect(out).toMatch(/fetch-data -- cifar10|test accuracy/);
    expect(accuracyOf(runExample('cifar10-cnn.ts', '--synthetic'))).toBeGreaterThanOrEqual(0);
  });
});
