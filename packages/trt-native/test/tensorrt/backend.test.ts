import { InvalidArgumentError } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import {
  fromNativeError,
  resolveBuildRequest,
  TensorRtBackend,
  TensorRtError,
  TensorRtUnavailableError,
  validateProfiles,
} from '../../src/tensorrt/index.js';

describe('TensorRT backend without TensorRT', () => {
  it('imports fine and fails the first build with a typed, actionable error', async () => {
    process.env.TRTKIT_TENSORRT_ADDON = '/nonexistent/trtkit_tensorrt.node';
    const backend = new TensorRtBackend();
    await expect(backend.build(new Uint8Array([1]))).rejects.toBeInstanceOf(TensorRtUnavailableError);
    await expect(backend.build(new Uint8Array([1]))).rejects.toThrow(/TENSORRT_ROOT|ONNX Runtime/);
  });
});

describe('build options', () => {
  const onnx = new Uint8Array([1, 2]);
  it('uses strong typing by default and refuses the FP16 flag on TensorRT 11', () => {
    expect(resolveBuildRequest(onnx, {}, 11)).toMatchObject({ stronglyTyped: true, fp16: false });
    expect(() => resolveBuildRequest(onnx, { precision: 'fp16-flag' }, 11)).toThrow(/toMixedPrecision/);
    expect(resolveBuildRequest(onnx, { precision: 'fp16-flag' }, 10)).toMatchObject({
      stronglyTyped: false,
      fp16: true,
    });
  });
  it('checks profiles and knobs before any build', () => {
    expect(() => validateProfiles([{ x: { min: [1, 3], opt: [2, 3], max: [1, 3] } }])).toThrow(
      /min <= opt <= max/,
    );
    expect(() => validateProfiles([{ x: { min: [1], opt: [2, 3], max: [4, 3] } }])).toThrow(/same rank/);
    expect(() => validateProfiles([{ x: { min: [0], opt: [2], max: [4] } }])).toThrow(/positive/);
    expect(() => resolveBuildRequest(onnx, { optimizationLevel: 7 }, 10)).toThrow(InvalidArgumentError);
    expect(() => resolveBuildRequest(onnx, { workspaceBytes: -1 }, 10)).toThrow(InvalidArgumentError);
    const req = resolveBuildRequest(
      onnx,
      { profiles: [{ x: { min: [1], opt: [2], max: [4] } }], tf32: false },
      10,
    );
    expect(req.profiles).toEqual([{ x: { min: [1], opt: [2], max: [4] } }]);
    expect(req.tf32).toBe(false);
  });
});

describe('native errors', () => {
  it('name the ONNX nodes the parser refused', () => {
    const e = fromNativeError(
      Object.assign(new Error("TensorRT's ONNX parser rejected the model"), {
        code: 'PARSE_FAILED',
        parserErrors: [{ node: 12, nodeName: '/model/Gather_11', op: 'Gather', message: 'negative indices' }],
        logs: [{ severity: 1, message: 'ERROR: Gather' }],
      }),
    );
    expect(e).toBeInstanceOf(TensorRtError);
    expect(e.code).toBe('PARSE_FAILED');
    expect(e.message).toMatch(/node 12 '\/model\/Gather_11' \(Gather\): negative indices/);
    expect(e.hint).toMatch(/lint/);
  });
});
