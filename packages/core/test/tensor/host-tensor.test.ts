import { describe, expect, it } from 'vitest';
import { byteLength, dtypeFromOnnx, InvalidArgumentError, tensor, zeros } from '../../src/index.js';

describe('HostTensor', () => {
  it('checks that data length matches dims', () => {
    expect(() => tensor('float32', [2, 3], new Float32Array(5))).toThrow(InvalidArgumentError);
    expect(() => tensor('float32', [2, -3], new Float32Array(6))).toThrow(/non-negative/);
    expect(tensor('float32', [2, 3], new Float32Array(6)).dims).toEqual([2, 3]);
  });
  it('sizes zero tensors and byte lengths by dtype', () => {
    const t = zeros('int64', [4, 2]);
    expect(t.data).toBeInstanceOf(BigInt64Array);
    expect(byteLength(t)).toBe(64);
    expect(byteLength(zeros('float16', [3]))).toBe(6);
  });
  it('maps ONNX dtype codes', () => {
    expect(dtypeFromOnnx(1)).toBe('float32');
    expect(dtypeFromOnnx(16)).toBe('bfloat16');
    expect(dtypeFromOnnx(99)).toBeUndefined();
  });
});
