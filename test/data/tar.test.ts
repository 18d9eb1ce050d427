import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/data/errors.ts';
import { readTar } from '../../src/data/tar.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-tar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let hasTar = true;
try {
  execFileSync('tar', ['--version'], { stdio: 'ignore' });
} catch {
  hasTar = false;
}

// GNU tar is the independent reference: archives written by it are what we must read.
describe.skipIf(!hasTar)('readTar (archives written by the system tar)', () => {
  const src = join(tmp, 'src');
  const longDir = 'a'.repeat(60) + '/' + 'b'.repeat(60);
  const files: Record<string, Uint8Array> = {
    'top/empty.txt': new Uint8Array(0),
    'top/block.bin': new Uint8Array(512).map((_, i) => i % 251),
    'top/odd.bin': new Uint8Array(1000).map((_, i) => (i * 7) % 256),
    [`top/${longDir}/long-name-file.bin`]: new Uint8Array([1, 2, 3]),
  };
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(src, name, '..'), { recursive: true });
    writeFileSync(join(src, name), data);
  }

  for (const format of ['gnu', 'ustar', 'pax']) {
    it(`lists files with exact contents (${format} format)`, () => {
      const archive = join(tmp, `${format}.tar`);
      execFileSync('tar', ['--format', format, '-cf', archive, '-C', src, 'top']);
      const entries = readTar(readFileSync(archive), archive);
      const got = Object.fromEntries(entries.filter((e) => e.type === 'file').map((e) => [e.name, Array.from(e.data)]));
      expect(Object.keys(got).sort()).toEqual(Object.keys(files).sort());
      for (const [name, data] of Object.entries(files)) expect(got[name]).toEqual(Array.from(data));
      expect(entries.some((e) => e.type === 'directory' && e.name.replace(/\/$/, '') === 'top')).toBe(true);
    });
  }

  it('rejects a header whose checksum does not add up, naming the archive', () => {
    const archive = join(tmp, 'gnu.tar');
    const bytes = new Uint8Array(readFileSync(archive));
    bytes[10] = bytes[10]! ^ 0xff;
    expect(() => readTar(bytes, archive)).toThrow(DataFormatError);
    expect(() => readTar(bytes, archive)).toThrow(new RegExp(`${archive}: tar header at byte 0: checksum`));
  });

  it('rejects an archive cut inside a member or before its end marker', () => {
    const archive = join(tmp, 'gnu.tar');
    const bytes = readFileSync(archive);
    const entries = readTar(bytes, archive);
    const odd = entries.find((e) => e.name === 'top/odd.bin')!;
    const cutInside = bytes.subarray(0, odd.data.byteOffset - bytes.byteOffset + 100);
    expect(() => readTar(cutInside, archive)).toThrow(/truncated tar archive: member at byte \d+ needs 1000 bytes, only 100 remain/);
    const lastData = Math.max(...entries.map((e) => e.data.byteOffset - bytes.byteOffset + e.data.length));
    const noEnd = bytes.subarray(0, Math.ceil(lastData / 512) * 512);
    expect(() => readTar(noEnd, archive)).toThrow(/no end-of-archive marker/);
  });
});
