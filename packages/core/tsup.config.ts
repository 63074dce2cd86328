import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { composite: false, customConditions: [] } },
  clean: true,
  shims: true,
  target: 'node20',
  sourcemap: true,
  noExternal: ['onnx-buf'],
});
