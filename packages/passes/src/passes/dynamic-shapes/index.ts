export { type DynamicShapesOptions, dynamicShapes, dynamicShapesWith } from './dynamic-shapes.js';
