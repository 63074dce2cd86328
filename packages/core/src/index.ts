export * from './backend/index.js';
export * from './errors/index.js';
export * from './eval/index.js';
export * from './io/index.js';
export * from './ir/index.js';
export * from './onnx/index.js';
export * from './shape/index.js';
export * from './tensor/index.js';
