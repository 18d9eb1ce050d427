/**
 * The README and docs/ as a user reads them: every link leads to a file in the repository,
 * code samples import 'tsgrad' as users do (never the sources by path) and type-check, and
 * the README's plain-page set-up is the very page the package tests run.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const text = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface Block {
  file: string;
  lang: string;
  code: string;
}
// docs/internals.md teaches writing code inside src/ (an op of your own), so its samples
// import internals by path on purpose; the user-facing pages must not.
const USER_FACING = DOCS.filter((f) => f !== 'docs/internals.md');
// Pages whose samples are whole programs; others (docs/optimizers.md) show fragments.
const WHOLE_SAMPLES = ['README.md', 'docs/platforms.md'];
const blocks: Block[] = DOCS.flatMap((file) => [...text(file).matchAll(/^```(\w*)\n([^]*?)^```/gm)]
  .map((m) => ({ file, lang: m[1]!, code: m[2]! })));

describe('the README and docs/', () => {
  it('link only to files inside the repository that exist', () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      for (const [, target] of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const path = resolve(ROOT, dirname(file), target!.split('#')[0]!);
        if (relative(ROOT, path).startsWith('..') || !existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("import 'tsgrad' in their code samples, never the sources by path", () => {
    const code = blocks.filter((b) => USER_FACING.includes(b.file) && /^(ts|js|html)$/.test(b.lang));
    const byPath = code.filter((b) => /from ['"](\.\.?\/)+src\//.test(b.code)).map((b) => `${b.file}: ${b.code.split('\n')[0]}`);
    expect(byPath).toEqual([]);
    expect(code.filter((b) => /from 'tsgrad'/.test(b.code)).length).toBeGreaterThan(3);
  });

  it('show the plain-page import map that the package tests run', () => {
    const importMap = (html: string) => JSON.parse(/<script type="importmap">([^]*?)<\/script>/.exec(html)![1]!);
    const readme = blocks.find((b) => b.file === 'README.md' && b.lang === 'html')!;
    const tested = readFileSync(join(ROOT, 'test/package/fixture/plain-page.html'), 'utf8');
    expect(importMap(readme.code)).toEqual(importMap(tested));
  });

  it('have TypeScript samples that type-check against the public API', () => {
    // Inside the repository (in a scratch folder) so that 'tsgrad' and 'gpu.js' resolve as
    // they do for the examples; every sample is a module of its own.
    const scratch = mkdtempSync(join(ROOT, 'test/docs/.samples-'));
    try {
      const samples = blocks.filter((b) => WHOLE_SAMPLES.includes(b.file) && b.lang === 'ts' && /from 'tsgrad'/.test(b.code));
      expect(samples.length).toBeGreaterThanOrEqual(3);
      const files = samples.map((b, i) => {
        const path = join(scratch, `sample-${i}.ts`);
        writeFileSync(path, `${b.code}\nexport {};\n`);
        return path;
      });
      const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
        ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); },
      })!;
      const program = ts.createProgram(files, { ...config.options, noEmit: true });
      const problems = ts.getPreEmitDiagnostics(program)
        .filter((d) => d.file && files.includes(resolve(d.file.fileName)))
        .map((d) => {
          const sample = samples[files.indexOf(resolve(d.file!.fileName))]!;
          return `${sample.file}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
        });
      expect(problems).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
