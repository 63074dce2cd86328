// Each area keeps its own index; this file only gathers them.
export * from './verify/index.js';
