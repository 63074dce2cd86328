export { AXIS_SLOTS, type AxisSlot } from './axis-slots.js';
export { fixGather } from './fix-gather.js';
