#pragma once
// Post-processing that keeps raw model outputs on the GPU.
#include <cuda_runtime.h>

#include <cstdint>

#include "dtype.h"

namespace trtkit {

// DETR: softmax over C+1 classes, the last (no-object) dropped; per query the best class and its score.
//   logits [N, Q, C+1] dtype, boxes [N, Q, 4] dtype (cx, cy, w, h in 0..1), imageSizes [N, 2] int32 (H, W)
//   scores [N, Q] fp32, labels [N, Q] int32, boxesOut [N, Q, 4] fp32 (x0, y0, x1, y1 in pixels)
cudaError_t detrDecodeSoftmax(DType dtype, int batch, int queries, int classesPlusOne, const void* logits,
                              const void* boxes, const int32_t* imageSizes, float* scores, int32_t* labels,
                              float* boxesOut, cudaStream_t stream);

constexpr int kTopKMax = 1024;

// Deformable DETR / RT-DETR: sigmoid, then the top k over queries x classes (k <= kTopKMax), ordered by
// score (ties: lower flat index first). label = index % C, box = boxes[index / C].
//   logits [N, Q, C] dtype, boxes [N, Q, 4] dtype, imageSizes [N, 2] int32 (H, W)
//   scores [N, k] fp32, labels [N, k] int32, boxesOut [N, k, 4] fp32
cudaError_t detrDecodeSigmoidTopK(DType dtype, int batch, int queries, int classes, int k, const void* logits,
                                  const void* boxes, const int32_t* imageSizes, float* scores, int32_t* labels,
                                  float* boxesOut, cudaStream_t stream);

// SegFormer: bilinear upsample (align_corners=False) of logits [N, C, h, w] to [H, W] fused with argmax over C
// (first maximum wins): classMap [N, H, W] int32, or uint8 when outUint8 (C <= 256).
cudaError_t upsampleArgmax(DType dtype, int batch, int classes, int inH, int inW, int outH, int outW,
                           const void* logits, void* classMap, bool outUint8, cudaStream_t stream);

// The same with a fixed design, for checks and benchmarks: `path` 1 a thread per input cell (upsampling
// only), 2 a block per output row segment (staging within 48 KB), 3 a thread per output pixel, 0 chooses as
// upsampleArgmax does. Returns cudaErrorInvalidValue where the design does not apply.
cudaError_t upsampleArgmaxPath(DType dtype, int batch, int classes, int inH, int inW, int outH, int outW,
                               const void* logits, void* classMap, bool outUint8, int path, cudaStream_t stream);

}  // namespace trtkit
