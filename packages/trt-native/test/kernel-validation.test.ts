// The kernels' JS entries check dtypes and shapes before any CUDA call. The tensors here wrap stand-in buffers
// whose native() throws ReachedNative: a typed InvalidArgumentError proves validation stopped the call first,
// and a well-formed call reaching ReachedNative proves validation lets it through.
import { DTYPES, elementCount, InvalidArgumentError, tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import {
  CudaError,
  type DeviceBuffer,
  type DeviceDType,
  DeviceTensor,
  detrDecodeSigmoidTopK,
  detrDecodeSoftmax,
  layerNorm,
  msdaForward,
  NativeUnavailableError,
  nativeStatus,
  preprocessImage,
  upsampleArgmax,
} from '../src/index.js';

class ReachedNative extends Error {}

function fake<D extends DeviceDType>(dtype: D, dims: number[], extraBytes = 0): DeviceTensor<D> {
  const byteLength = elementCount(dims) * DTYPES[dtype].bytes + extraBytes;
  const buffer = {
    byteLength,
    disposed: false,
    native: () => {
      throw new ReachedNative();
    },
  } as unknown as DeviceBuffer;
  return new DeviceTensor(buffer, dtype, dims);
}

// A valid call gets past validation: to the first buffer handle, to an allocation (CudaError without a GPU),
// or, where the addon is not built, to the loader.
function passesValidation(call: () => unknown): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  const expected = nativeStatus().cuda.built ? [ReachedNative, CudaError] : [NativeUnavailableError];
  expect(
    expected.some((c) => caught instanceof c),
    String(caught),
  ).toBe(true);
}

function rejects(call: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  expect((caught as InvalidArgumentError)._tag).toBe('InvalidArgumentError');
  expect((caught as Error).message).toMatch(message);
}

describe('DeviceTensor', () => {
  it('rejects buffers smaller than dims x dtype, unknown dtypes and bad dims', () => {
    rejects(() => fake('float32', [4], -4), /needs 16 bytes; the buffer has 12/);
    rejects(() => fake('float64' as DeviceDType, [2]), /float32, float16, int32 or uint8/);
    rejects(() => fake('float32', [2, -1]), /non-negative integers/);
    rejects(() => fake('float32', [1.5]), /non-negative integers/);
    expect(fake('float16', [2, 3]).byteLength).toBe(12);
  });

  it('rejects bad sizes before allocating', () => {
    rejects(() => DeviceTensor.alloc('float32', [3, -2]), /non-negative/);
    rejects(() => DeviceTensor.alloc('bool' as DeviceDType, [3]), /cannot allocate/);
  });
});

describe('msdaForward validation', () => {
  const N = 1;
  const M = 2;
  const D = 8;
  const L = 2;
  const P = 2;
  const Lq = 5;
  const S = 4 * 4 + 2 * 2;
  const shapes = tensor('int32', [L, 2], Int32Array.from([4, 4, 2, 2]));
  const starts = tensor('int32', [L], Int32Array.from([0, 16]));
  const args = (over: Record<string, unknown> = {}) => ({
    value: fake('float16', [N, S, M, D]),
    spatialShapes: fake('int32', [L, 2]),
    levelStartIndex: fake('int32', [L]),
    samplingLocations: fake('float32', [N, Lq, M, L, P, 2]),
    attentionWeights: fake('float16', [N, Lq, M, L, P]),
    output: fake('float16', [N, Lq, M, D]),
    ...over,
  });

  it('lets a well-formed call through', () => {
    passesValidation(() => msdaForward(args()));
    passesValidation(() => msdaForward(args({ impl: 'scalar' })));
  });

  it('rejects wrong dtypes', () => {
    rejects(
      () => msdaForward(args({ value: fake('int32', [N, S, M, D]) })),
      /value must be float32 or float16/,
    );
    rejects(
      () => msdaForward(args({ samplingLocations: fake('float16', [N, Lq, M, L, P, 2]) })),
      /samplingLocations must be float32/,
    );
    rejects(
      () => msdaForward(args({ attentionWeights: fake('float32', [N, Lq, M, L, P]) })),
      /attentionWeights must be float16/,
    );
    rejects(() => msdaForward(args({ output: fake('float32', [N, Lq, M, D]) })), /output must be float16/);
    rejects(() => msdaForward(args({ value: tensor('float16', [1], new Uint16Array(1)) })), /DeviceTensor/);
  });

  it('rejects inconsistent shapes', () => {
    rejects(() => msdaForward(args({ value: fake('float16', [N, S, M * D]) })), /value must have rank 4/);
    rejects(
      () => msdaForward(args({ samplingLocations: fake('float32', [N, Lq, M + 1, L, P, 2]) })),
      /samplingLocations has dims/,
    );
    rejects(
      () => msdaForward(args({ attentionWeights: fake('float16', [N, Lq, M, L, P + 1]) })),
      /attentionWeights has dims/,
    );
    rejects(() => msdaForward(args({ output: fake('float16', [N, Lq + 1, M, D]) })), /output has dims/);
    rejects(
      () =>
        msdaForward(
          args({
            samplingLocations: fake('float32', [N, Lq, M, 17, P, 2]),
            attentionWeights: fake('float16', [N, Lq, M, 17, P]),
          }),
        ),
      /1\.\.16 levels/,
    );
    rejects(() => msdaForward(args({ spatialShapes: fake('int32', [L + 1, 2]) })), /spatialShapes has dims/);
    rejects(
      () => msdaForward(args({ levelStartIndex: fake('float32', [L]) })),
      /levelStartIndex must be int32/,
    );
    rejects(() => msdaForward(args({ impl: 'fast' })), /impl must be/);
  });

  it('checks host level tables against S', () => {
    rejects(
      () =>
        msdaForward(
          args({
            spatialShapes: tensor('int32', [L, 2], Int32Array.from([4, 4, 2, 3])),
            levelStartIndex: starts,
          }),
        ),
      /hold 22 positions .* S = 20/,
    );
    rejects(
      () =>
        msdaForward(
          args({ spatialShapes: shapes, levelStartIndex: tensor('int32', [L], Int32Array.from([0, 15])) }),
        ),
      /levelStartIndex\[1\] is 15, expected 16/,
    );
    rejects(
      () =>
        msdaForward(
          args({
            spatialShapes: tensor('int32', [L, 2], Int32Array.from([4, 4, 0, 2])),
            levelStartIndex: starts,
          }),
        ),
      /must be positive/,
    );
  });
});

describe('layerNorm validation', () => {
  it('lets a well-formed call through', () => {
    passesValidation(() =>
      layerNorm({ x: fake('float32', [3, 64]), gamma: fake('float32', [64]), y: fake('float32', [3, 64]) }),
    );
  });

  it('rejects wrong dtypes and shapes', () => {
    rejects(() => layerNorm({ x: fake('int32', [3, 64]) }), /x must be float32 or float16/);
    rejects(() => layerNorm({ x: fake('float16', [3, 64]), gamma: fake('float16', [32]) }), /gamma has dims/);
    rejects(
      () => layerNorm({ x: fake('float16', [3, 64]), beta: fake('float32', [64]) }),
      /beta must be float16/,
    );
    rejects(() => layerNorm({ x: fake('float16', [3, 64]), y: fake('float16', [64, 3]) }), /y has dims/);
    rejects(() => layerNorm({ x: fake('float16', [3, 0]) }), /must not be empty/);
    rejects(() => layerNorm({ x: fake('float16', [3, 8]), eps: -1 }), /eps/);
  });
});

describe('preprocessImage validation', () => {
  const image = () => fake('uint8', [1080, 1920, 3]);
  const out = () => fake('float16', [2, 3, 800, 1333]);

  it('lets a well-formed call through', () => {
    passesValidation(() =>
      preprocessImage({ image: image(), out: out(), batchIndex: 1, resize: [750, 1333] }),
    );
  });

  it('rejects wrong images, canvases and parameters', () => {
    rejects(() => preprocessImage({ image: fake('float32', [8, 8, 3]), out: out() }), /image must be uint8/);
    rejects(() => preprocessImage({ image: fake('uint8', [8, 8, 4]), out: out() }), /\[H, W, 3\] RGB/);
    rejects(() => preprocessImage({ image: image(), out: fake('float16', [1, 4, 8, 8]) }), /\[B, 3, H, W\]/);
    rejects(
      () => preprocessImage({ image: image(), out: fake('int32', [1, 3, 8, 8]) }),
      /out must be float32/,
    );
    rejects(() => preprocessImage({ image: image(), out: out(), batchIndex: 2 }), /outside the batch of 2/);
    rejects(() => preprocessImage({ image: image(), out: out(), resize: [801, 1333] }), /does not fit/);
    rejects(() => preprocessImage({ image: image(), out: out(), std: [1, 0, 1] }), /std must not contain 0/);
    rejects(() => preprocessImage({ image: image(), out: out(), mean: [1, 2] }), /mean must be 3/);
  });
});

describe('DETR decode validation', () => {
  const sizes = tensor('int32', [2, 2], Int32Array.from([480, 640, 600, 800]));

  it('lets well-formed calls through', () => {
    const dev = fake('int32', [2, 2]);
    passesValidation(() =>
      detrDecodeSoftmax({
        logits: fake('float32', [2, 100, 92]),
        boxes: fake('float32', [2, 100, 4]),
        imageSizes: dev,
      }),
    );
    passesValidation(() =>
      detrDecodeSigmoidTopK({
        logits: fake('float16', [2, 300, 91]),
        boxes: fake('float16', [2, 300, 4]),
        imageSizes: dev,
        k: 100,
      }),
    );
  });

  it('rejects mismatched boxes, sizes and k', () => {
    const logits = fake('float32', [2, 100, 92]);
    rejects(
      () => detrDecodeSoftmax({ logits, boxes: fake('float32', [2, 99, 4]), imageSizes: sizes }),
      /boxes has dims/,
    );
    rejects(
      () => detrDecodeSoftmax({ logits, boxes: fake('float16', [2, 100, 4]), imageSizes: sizes }),
      /boxes must be float32/,
    );
    rejects(
      () =>
        detrDecodeSoftmax({
          logits,
          boxes: fake('float32', [2, 100, 4]),
          imageSizes: tensor('int32', [1, 2], Int32Array.from([1, 1])),
        }),
      /imageSizes has dims/,
    );
    rejects(
      () =>
        detrDecodeSoftmax({
          logits: fake('float32', [2, 100, 1]),
          boxes: fake('float32', [2, 100, 4]),
          imageSizes: sizes,
        }),
      /no-object/,
    );
    const boxes = fake('float32', [2, 100, 4]);
    rejects(() => detrDecodeSigmoidTopK({ logits, boxes, imageSizes: sizes, k: 2000 }), /at most 1024/);
    rejects(
      () =>
        detrDecodeSigmoidTopK({
          logits: fake('float32', [2, 2, 3]),
          boxes: fake('float32', [2, 2, 4]),
          imageSizes: sizes,
          k: 7,
        }),
      /exceeds queries x classes = 6/,
    );
    rejects(
      () => detrDecodeSigmoidTopK({ logits, boxes, imageSizes: sizes, k: 0 }),
      /k must be a positive integer/,
    );
  });
});

describe('upsampleArgmax validation', () => {
  it('lets a well-formed call through', () => {
    passesValidation(() =>
      upsampleArgmax({
        logits: fake('float16', [1, 19, 256, 256]),
        size: [1024, 1024],
        outDType: 'uint8',
        out: fake('uint8', [1, 1024, 1024]),
      }),
    );
  });

  it('rejects class maps that cannot hold the classes, and bad sizes', () => {
    rejects(
      () => upsampleArgmax({ logits: fake('float16', [1, 300, 8, 8]), size: [16, 16], outDType: 'uint8' }),
      /300 classes do not fit a uint8/,
    );
    rejects(
      () =>
        upsampleArgmax({
          logits: fake('float16', [1, 19, 8, 8]),
          size: [16, 16],
          out: fake('int32', [1, 16, 15]),
        }),
      /out has dims/,
    );
    rejects(() => upsampleArgmax({ logits: fake('float16', [1, 19, 8, 8]), size: [0, 16] }), /size\[0\]/);
    rejects(
      () => upsampleArgmax({ logits: fake('uint8', [1, 19, 8, 8]), size: [16, 16] }),
      /logits must be float32/,
    );
  });
});
