import { describe, expect, it } from 'vitest';
import {
  checkHalfPrecision,
  InspectorFormatError,
  PrecisionNotRealizedError,
  precisionOf,
  summarisePrecision,
} from '../src/tensorrt/index.js';

// Inspector JSON in the shape TensorRT 10 prints with detailed profiling (LayerInformationFormat::kJSON).
const layer = (name: string, type: string, format: string) => ({
  Name: name,
  LayerType: type,
  Inputs: [
    { Name: `${name}_in`, Location: 'Device', Dimensions: [1, 256, 25, 42], 'Format/Datatype': format },
  ],
  Outputs: [
    { Name: `${name}_out`, Location: 'Device', Dimensions: [1, 256, 25, 42], 'Format/Datatype': format },
  ],
  TacticValue: '0x0000000000000000',
});

describe('engine precision check', () => {
  it('reads the format strings TensorRT versions print', () => {
    expect(precisionOf('Row major linear FP16 format')).toBe('fp16');
    expect(precisionOf('Half')).toBe('fp16');
    expect(precisionOf('Channel major FP16 format where channel % 8 == 0')).toBe('fp16');
    expect(precisionOf('Row major linear FP32')).toBe('fp32');
    expect(precisionOf('Float')).toBe('fp32');
    expect(precisionOf('Thirty-two wide channel vectorized row major Int8 format.')).toBe('int8');
    expect(precisionOf('Row major linear BF16 format')).toBe('bf16');
    expect(precisionOf('Row major linear INT32 format')).toBe('int32');
    expect(precisionOf('N/A due to dynamic shapes')).toBe('unknown');
  });

  it('counts compute layers only and passes an FP16 engine', () => {
    const info = {
      Layers: [
        layer('conv1', 'CaskConvolution', 'Channel major FP16 format where channel % 8 == 0'),
        layer('reformat', 'Reformat', 'Row major linear FP32'),
        layer('gemm', 'CaskGemmMatrixMultiply', 'Row major linear FP16 format'),
        layer('ln', 'Normalization', 'Row major linear FP32'),
        layer('msda', 'PluginV3', 'Row major linear FP16 format'),
      ],
      Bindings: ['pixel_values', 'logits'],
    };
    const s = checkHalfPrecision(info);
    expect(s.compute).toBe(4);
    expect(s.byPrecision).toEqual({ fp16: 3, fp32: 1 });
    expect(s.halfShare).toBeCloseTo(0.75);
  });

  it('fails an engine that fell back to FP32, naming the counts', () => {
    const info = {
      Layers: [
        layer('conv1', 'CaskConvolution', 'Row major linear FP32'),
        layer('gemm', 'CaskGemmMatrixMultiply', 'Row major linear FP32'),
        layer('act', 'PointWiseV2', 'Row major linear FP16 format'),
      ],
    };
    expect(() => checkHalfPrecision(info)).toThrow(PrecisionNotRealizedError);
    expect(() => checkHalfPrecision(info)).toThrow(/33\.3 % of 3 compute layers run in FP16.*fp32 2, fp16 1/);
    expect(summarisePrecision(info).halfShare).toBeCloseTo(1 / 3);
  });

  it('asks for detailed profiling when the inspector lists names only', () => {
    expect(() => checkHalfPrecision({ Layers: ['conv1', 'gemm'] })).toThrow(InspectorFormatError);
    expect(() => checkHalfPrecision({ nothing: true })).toThrow(/detailedProfiling/);
  });
});
