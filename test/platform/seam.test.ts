import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findHostUses } from './seam-check.ts';

const root = join(import.meta.dirname, '../..');
const src = join(root, 'src');

/**
 * Files that still touch the host and are being moved behind the platform in work that
 * is under way elsewhere. Each must still be in violation: once it is fixed, the test
 * fails until its line here is removed.
 */
const PENDING: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.as.ts') ? [path] : [];
  });
}

describe('the platform seam', () => {
  it('no file under src/ outside src/platform/ imports node:* or reads process, window or document', () => {
    const offenders: string[] = [];
    const stillPending = new Set<string>();
    for (const path of sourceFiles(src)) {
      const rel = relative(src, path).split('\\').join('/');
      if (rel.startsWith('platform/')) continue;
      const uses = findHostUses(path, readFileSync(path, 'utf8'));
      if (uses.length === 0) continue;
      if (rel in PENDING) {
        stillPending.add(rel);
        continue;
      }
      offenders.push(...uses.map((u) => `src/${rel}:${u.line}: ${u.what}`));
    }
    expect(offenders, 'go through #platform (src/platform/platform.ts) instead').toEqual([]);
    expect([...stillPending].sort(), 'fixed: remove these from PENDING').toEqual(Object.keys(PENDING).sort());
  });

  it('the checker finds each kind of host use, and ignores names that only look like one', () => {
    const bad = [
      "import { readFileSync } from 'node:fs';",
      "import * as path from 'path';",
      "export { cpus } from 'node:os';",
      "const os = require('os');",
      "const v8 = await import('node:v8');",
      'const env = process.env.X;',
      'const w = window.innerWidth;',
      "document.title = 'x';",
      'globalThis.process.exit(1);',
      "const p = globalThis['document'];",
    ];
    const uses = findHostUses('bad.ts', bad.join('\n'));
    expect(uses.map((u) => u.line)).toEqual(bad.map((_, i) => i + 1));
    const fine = [
      '// process the window; import from node:fs',
      "const s = 'process.env and window and node:fs';",
      'const o = { process: 1, window: 2 }; o.process; o.window;',
      'function f(window: number, document: string) {}',
      'class C { process() {} document = 1; }',
      "import { files } from '#platform';",
      "import { x } from './node/files.ts';",
      'const { process: p } = { process: 1 };',
    ];
    expect(findHostUses('fine.ts', fine.join('\n'))).toEqual([]);
  });
});
