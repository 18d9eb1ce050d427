import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tg from 'tsgrad';
import { removeStaleTemps, tempPathFor } from '../../src/platform/node/temp-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-temps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The pid of a process that has exited (a child that ran and ended). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('temporary files of atomic writes', () => {
  it('are named after the destination, the writer\'s pid and a random part', () => {
    const path = tempPathFor(join(tmp, 'model.safetensors'), 'tmp');
    expect(path).toMatch(new RegExp(`/\\.model\\.safetensors\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
    expect(tempPathFor(join(tmp, 'model.safetensors'), 'tmp')).not.toBe(path);
  });

  it('of dead writers are removed; those of live writers, other files and other destinations stay', () => {
    const dir = mkdtempSync(join(tmp, 'sweep-'));
    const dead = deadPid();
    const names = {
      deadTmp: `.m.bin.${dead}.0123456789ab.tmp`,
      deadPart: `.m.bin.${dead}.0123456789ab.part`,
      liveTmp: `.m.bin.${process.pid}.0123456789ab.tmp`,
      parentTmp: `.m.bin.${process.ppid}.0123456789ab.tmp`,
      otherDest: `.other.bin.${dead}.0123456789ab.tmp`,
      notOurs: `.m.bin.${dead}.notrandom.tmp`,
      dest: 'm.bin',
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x');
    expect(removeStaleTemps(join(dir, 'm.bin'), 'tmp')).toEqual([join(dir, names.deadTmp)]);
    expect(removeStaleTemps(join(dir, 'm.bin'), 'part')).toEqual([join(dir, names.deadPart)]);
    expect(readdirSync(dir).sort()).toEqual(
      [names.liveTmp, names.parentTmp, names.otherDest, names.notOurs, names.dest].sort(),
    );
  });

  it('io.save into a missing folder names the destination, not a temporary file, and creates nothing', () => {
    const path = join(tmp, 'no-such-folder', 'model.safetensors');
    const model = new tg.nn.Sequential(new tg.nn.Dense(2, 2));
    expect(() => tg.io.save(model, path)).toThrow(
      `io.save: cannot write ${path}: the folder ${join(tmp, 'no-such-folder')} does not exist (create it first)`,
    );
    expect(existsSync(join(tmp, 'no-such-folder'))).toBe(false);
  });
});
