/**
 * Fuzzing io.load with hundreds of corrupted files: every one must either be refused with an
 * error that leaves the model exactly as it was, or — when the damage is confined to tensor
 * bytes or header whitespace, so the file is still valid — load exactly what an independent
 * decoder reads from those bytes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { randomInt } from '../../src/tensor/random.ts';

const { nn, io } = tg;
const dir = mkdtempSync(join(tmpdir(), 'tsgrad-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const makeModel = () => new nn.Sequential(new nn.Conv2D(1, 2, 2), new nn.Flatten(), new nn.Dense(8, 3));

/** Bit patterns of every parameter, so NaNs produced by a flip compare exactly. */
const bits = (m: tg.nn.Module) => m.parameters().map((p) => Array.from(new Uint32Array(p.data.buffer, p.data.byteOffset, p.size)));

/** Minimal independent decoder for a file already known to be valid: name → raw u32 words. */
function referenceDecode(bytes: Buffer): { header: Record<string, unknown>; words: Record<string, number[]> } {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const words: Record<string, number[]> = {};
  for (const [name, e] of Object.entries(header as Record<string, { data_offsets: [number, number] }>)) {
    const [b, end] = e.data_offsets;
    words[name] = [];
    for (let at = 8 + n + b; at < 8 + n + end; at += 4) words[name].push(bytes.readUInt32LE(at));
  }
  return { header, words };
}

type Mutation = (f: Buffer, headerEnd: number) => Buffer;
const JSON_CHARS = Buffer.from('{}[]:,"0123456789-.eE \tF32xa_');

const mutations: [string, number, Mutation][] = [
  ['random byte anywhere', 150, (f) => { const g = Buffer.from(f); g[randomInt(g.length)] = randomInt(256); return g; }],
  ['bit flip anywhere', 150, (f) => { const g = Buffer.from(f); const i = randomInt(g.length); g[i] ^= 1 << randomInt(8); return g; }],
  ['JSON-significant character in the header', 150, (f, h) => { const g = Buffer.from(f); g[8 + randomInt(h - 8)] = JSON_CHARS[randomInt(JSON_CHARS.length)]; return g; }],
  ['truncation', 80, (f) => f.subarray(0, randomInt(f.length))],
  ['appended bytes', 20, (f) => Buffer.concat([f, Buffer.alloc(1 + randomInt(16), randomInt(256))])],
  ['bytes cut out of the header', 50, (f, h) => { const a = 8 + randomInt(h - 8); const b = Math.min(h, a + 1 + randomInt(6)); return Buffer.concat([f.subarray(0, a), f.subarray(b)]); }],
  ['header length field changed', 50, (f) => {
    const g = Buffer.from(f);
    const choices = [0n, 1n, 7n, BigInt(g.length), 2n ** 64n - 1n, g.readBigUInt64LE(0) + BigInt(randomInt(9)) - 4n];
    const v = choices[randomInt(choices.length)];
    g.writeBigUInt64LE(v < 0n ? 0n : v);
    return g;
  }],
];

describe('io.load under corruption', () => {
  it('refuses or loads exactly, never changing the model on failure', () => {
    tg.manualSeed(1234);
    const source = makeModel();
    const path = join(dir, 'base.safetensors');
    io.save(source, path);
    const original = readFileSync(path);
    const headerEnd = 8 + Number(original.readBigUInt64LE(0));
    const originalHeader = referenceDecode(original).header;

    let refused = 0, loaded = 0, loadedChanged = 0;
    const corruptPath = join(dir, 'corrupt.safetensors');
    for (const [kind, count, mutate] of mutations) {
      for (let trial = 0; trial < count; trial++) {
        const corrupted = mutate(original, headerEnd);
        writeFileSync(corruptPath, corrupted);
        const model = makeModel();
        const before = bits(model);
        let error: unknown = null;
        try {
          io.load(model, corruptPath);
        } catch (err) {
          error = err;
        }
        if (error !== null) {
          refused++;
          expect(error, `${kind} #${trial}`).toBeInstanceOf(Error);
          expect((error as Error).message.length).toBeGreaterThan(10);
          expect(bits(model), `${kind} #${trial}: model changed by a failed load`).toEqual(before);
          continue;
        }
        loaded++;
        // Loaded: the header must mean the same as before, and the values are the file's bytes.
        const ref = referenceDecode(corrupted);
        expect(ref.header, `${kind} #${trial}: a changed header was accepted`).toEqual(originalHeader);
        const after = bits(model);
        model.namedParameters().forEach(([name], i) => expect(after[i], `${kind} #${trial} ${name}`).toEqual(ref.words[name]));
        if (!corrupted.equals(original)) loadedChanged++;
      }
    }
    expect(refused + loaded).toBe(650);
    expect(refused).toBeGreaterThan(300);
    expect(loadedChanged).toBeGreaterThan(20); // flips inside tensor data are legitimately loadable
  });
});
