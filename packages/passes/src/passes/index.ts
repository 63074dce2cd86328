// One export line per pass folder; `builtins.ts` registers them by name.
export * from './builtins.js';
export * from './dynamic-shapes/index.js';
export * from './fix-gather/index.js';
export * from './fuse-deformable-attention/index.js';
export * from './fuse-layer-norm/index.js';
export * from './msda-reference/index.js';
export * from './remove-aux-heads/index.js';
export * from './sanitize/index.js';
export * from './simplify/index.js';
export * from './to-mixed-precision/index.js';
