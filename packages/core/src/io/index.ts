export { decodeNpy, encodeNpy, NpyFormatError } from './npy.js';
export { decodeNpz, encodeNpz, readTensors, writeNpz } from './npz.js';
