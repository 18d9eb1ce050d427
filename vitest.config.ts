import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import 'tsgrad' as users do and get the sources, like tsconfig.json's "paths".
    alias: [
      { find: /^tsgrad$/, replacement: here('./src/index.ts') },
      { find: /^#platform$/, replacement: here('./src/platform/node/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
