/** Node's file system behind the `Files` interface. */
import { accessSync, closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Files } from '../platform.ts';
import { removeStaleTemps, tempPathFor } from './temp-files.ts';
import { resolvePackage } from './packages.ts';
import { FileAccessError } from '../errors.ts';

/** The file system, for `caller` (named in errors). */
export function nodeFiles(caller: string): Files {
  return {
    readFile: (path) => readFileSync(path),
    exists: (path) => existsSync(path),
    kind(path) {
      try {
        return statSync(path).isDirectory() ? 'folder' : 'file';
      } catch {
        return 'missing';
      }
    },
    writable(folder) {
      try {
        accessSync(folder, constants.W_OK);
        return true;
      } catch {
        return false;
      }
    },
    writeFileAtomic: (path, data) => writeFileAtomic(caller, path, data),
    join, resolve, dirname, basename,
    dataDir: () => resolve(process.env.TSGRAD_DATA_DIR || 'datasets'),
    packageDir(name) {
      const manifest = resolvePackage(`${name}/package.json`);
      return manifest === null ? null : dirname(manifest);
    },
  };
}

function writeFileAtomic(caller: string, path: string, data: Uint8Array): void {
  // Checked first: the rename would fail only after the whole file was written, naming the temp file.
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new FileAccessError(caller, path, 'it is a folder; give a file name inside it', 'EISDIR');
  }
  removeStaleTemps(path, 'tmp');
  const tmp = tempPathFor(path, 'tmp');
  let fd = -1;
  try {
    try {
      fd = openSync(tmp, 'wx');
    } catch (err) {
      // The temporary name means nothing to the caller: report the destination.
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? `the folder ${dirname(resolve(path))} does not exist (create it first)`
        : code === 'EACCES' || code === 'EPERM' ? `no permission to create files in ${dirname(resolve(path))}`
        : (err as Error).message;
      throw new FileAccessError(caller, path, why, code);
    }
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== -1) closeSync(fd);
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw err;
  }
}
