/**
 * The examples of the layers guide, each run as a user runs it (npx tsx) in quick mode:
 * char-transformer, cifar10-resnet (on generated files in the CIFAR-10 binary format),
 * mnist-autoencoder and sequence-lstm.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const scratch = mkdtempSync(join(tmpdir(), 'tsgrad-examples-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(file: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['tsx', `examples/${file}`, ...args], { encoding: 'utf8', env: { ...process.env, TSGRAD_QUICK: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runOk(file: string, ...args: string[]): string {
  const r = run(file, ...args);
  expect(r.status, `${file} failed:\n${r.stderr}`).toBe(0);
  return r.stdout;
}

const JARGON = '/usr/share/doc/jargon-text/jargon.txt.gz';
if (!existsSync(JARGON)) console.warn(`char-transformer on the Jargon File skipped: ${JARGON} is missing (apt-get install jargon-text); it still runs on the README below`);

describe('char-transformer', () => {
  function checkRun(out: string): void {
    const bits = Number(/validation loss (\d+\.\d+) bits per character \(uniform guessing: (\d+\.\d+)\)/.exec(out)?.[1]);
    const uniform = Number(/uniform guessing: (\d+\.\d+)/.exec(out)?.[1]);
    expect(bits).toBeGreaterThan(0);
    expect(bits).toBeLessThan(uniform); // even 30 steps beat guessing uniformly
    const generated = out.split('generated text:\n')[1];
    expect(generated.length).toBeGreaterThanOrEqual(200);
  }

  it('trains on any text given with --text (here the README) and writes text of its own', () => {
    checkRun(runOk('char-transformer.ts', '--text', 'README.md'));
  });

  it.skipIf(!existsSync(JARGON))('trains on the Jargon File from Debian\'s jargon-text package', () => {
    checkRun(runOk('char-transformer.ts'));
  });

  it('without the text it says how to get it and exits with status 1', () => {
    const r = run('char-transformer.ts', '--text', join(scratch, 'missing.txt'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/char-transformer: no text at .*missing\.txt/);
    expect(r.stderr).toMatch(/--text with the path of a UTF-8 text file/);
  });
});

describe('cifar10-resnet', () => {
  /** CIFAR-10's binary batches: records of a label byte and 3·32·32 pixel bytes; class k is a colour with noise. */
  function writeCifarFiles(dir: string, perFile: number): void {
    let seed = 12345;
    const noise = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
    const files = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
    for (const name of files) {
      const bytes = new Uint8Array(perFile * 3073);
      for (let r = 0; r < perFile; r++) {
        const label = r % 10;
        bytes[r * 3073] = label;
        for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) {
          const base = 40 + 20 * ((label + c * 3) % 10);
          bytes[r * 3073 + 1 + c * 1024 + p] = Math.min(255, Math.floor(base + 40 * noise()));
        }
      }
      writeFileSync(join(dir, name), bytes);
    }
  }

  it('trains its ResNet on files in the CIFAR-10 binary format and reports a test accuracy', () => {
    const dir = join(scratch, 'cifar');
    mkdirSync(dir, { recursive: true });
    writeCifarFiles(dir, 40);
    const out = runOk('cifar10-resnet.ts', '--data-dir', dir);
    expect(out).toMatch(/ResNet-14: \d+ parameters, 45 BatchNorm buffers/);
    const accuracy = Number(/test accuracy (\d+\.\d\d)% \(loss (\d+\.\d+)\) on 40 images/.exec(out)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(100);
  });

  it('without the data it says how to get it and exits 0', () => {
    expect(runOk('cifar10-resnet.ts', '--data-dir', join(scratch, 'no-cifar'))).toMatch(/CIFAR-10 is not on this machine/);
  });
});

describe('mnist-autoencoder', () => {
  it('trains and writes a PNG of test digits beside their reconstructions', () => {
    const png = join(scratch, 'ae.png');
    const out = runOk('mnist-autoencoder.ts', '--out', png);
    expect(out).toMatch(/test reconstruction MSE \d+\.\d+ per pixel/);
    const bytes = readFileSync(png);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    // IHDR: 8 pairs of 28-pixel digits with 2-pixel gaps across, 2 rows down.
    expect(bytes.readUInt32BE(16)).toBe(8 * 58 + 2);
    expect(bytes.readUInt32BE(20)).toBe(2 * 30 + 2);
  });
});

describe('sequence-lstm', () => {
  it('fits a forecaster with validation and writes the loss curves', () => {
    const svg = join(scratch, 'seq.svg');
    const out = runOk('sequence-lstm.ts', '--out', svg);
    const mse = Number(/test MSE (\d+\.\d+)/.exec(out)?.[1]);
    expect(Number.isFinite(mse)).toBe(true);
    expect(out).toMatch(/Epoch 2\/2 loss \d+\.\d+ mae \d+\.\d+ val_loss \d+\.\d+ val_mae \d+\.\d+/);
    const chart = readFileSync(svg, 'utf8');
    expect(chart).toContain('validation loss');
    expect(chart).toContain('training loss');
  });
});
