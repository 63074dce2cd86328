import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false, customConditions: [] } },
  clean: true,
  shims: true,
  target: 'node20',
  sourcemap: true,
});
