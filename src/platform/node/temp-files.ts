/**
 * Names for the temporary files of atomic writes, chosen so that a later run can tell which
 * ones a killed process left behind. A write first puts its bytes in
 * `.<name>.<pid>.<random>.<ext>` beside the destination, then renames it over `<name>`.
 * A SIGKILL between the two leaves the temporary file; nothing in the dead process can
 * remove it. So every write to `<name>` first removes the temporaries of `<name>` whose
 * writer is no longer alive. Files of live writers (another process writing the same file
 * right now) are left alone; so is anything that does not match the pattern exactly.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A fresh temporary path for writing `dest`, in the same folder (so the rename is atomic). */
export function tempPathFor(dest: string, ext: 'tmp' | 'part'): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(6).toString('hex')}.${ext}`);
}

/** Removes the temporary files of `dest` left by writers that died; returns their paths. */
export function removeStaleTemps(dest: string, ext: 'tmp' | 'part'): string[] {
  const dir = dirname(dest);
  const prefix = `.${basename(dest)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];  // no folder yet: nothing to clean; the write itself reports the problem
  }
  const pattern = new RegExp(`^(\\d+)\\.[0-9a-f]{12}\\.${ext}$`);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = pattern.exec(name.slice(prefix.length));
    if (match === null || isAlive(Number(match[1]))) continue;
    const path = join(dir, name);
    try {
      rmSync(path, { force: true });
      removed.push(path);
    } catch {
      // Another cleaner got there first, or the folder is read-only: neither is our error.
    }
  }
  return removed;
}

/** Whether process `pid` exists (signal 0 checks without sending anything). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
