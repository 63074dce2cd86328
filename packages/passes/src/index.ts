// Each area keeps its own index; this file only gathers them.
export * from './pass/index.js';
export * from './passes/index.js';
export * from './verify/index.js';
