import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against package sources, so `npm test` needs no build step.
const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@trtkit\/core$/, replacement: pkg('core') },
      { find: /^@trtkit\/ort$/, replacement: pkg('ort') },
      { find: /^@trtkit\/passes$/, replacement: pkg('passes') },
      { find: /^@trtkit\/models$/, replacement: pkg('models') },
      { find: /^@trtkit\/trt-native$/, replacement: pkg('trt-native') },
      { find: /^trtkit$/, replacement: pkg('trtkit') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
