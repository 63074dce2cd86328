#pragma once
// Multi-scale deformable attention, forward: the I/O of TensorRT's MultiscaleDeformableAttnPlugin_TRT.
//   value              [N, S, M, D]        dtype (fp32 or fp16)
//   spatialShapes      [L, 2]   int32      (H, W) of each level
//   levelStartIndex    [L]      int32      offset of each level in S
//   samplingLocations  [N, Lq, M, L, P, 2] fp32, (x, y) in [0, 1]
//   attentionWeights   [N, Lq, M, L, P]    dtype
//   output             [N, Lq, M, D]       dtype
// Bilinear sampling with zero padding, grid_sample align_corners=False (pixel = loc * size - 0.5).
// All pointers are device pointers; the work is queued on `stream`.
#include <cuda_runtime.h>

#include <cstdint>

#include "dtype.h"
#include "msda_design.h"

namespace trtkit {

// Wide design: 16-byte loads, several channels per thread, points split across threads when the
// launch is small. Falls back to the scalar kernel when D or the pointers do not allow 16-byte access.
cudaError_t msdaForward(DType dtype, const MsdaShape& shape, const void* value, const int32_t* spatialShapes,
                        const int32_t* levelStartIndex, const float* samplingLocations,
                        const void* attentionWeights, void* output, cudaStream_t stream);

// The wide kernel with the design `t`. Returns cudaErrorInvalidValue where the shape does not allow it.
cudaError_t msdaForwardTuned(DType dtype, const MsdaShape& shape, const void* value, const int32_t* spatialShapes,
                             const int32_t* levelStartIndex, const float* samplingLocations,
                             const void* attentionWeights, void* output, const MsdaTuning& t, cudaStream_t stream);

// Baseline: one thread per output channel with scalar loads (the classic design), for comparison.
cudaError_t msdaForwardScalar(DType dtype, const MsdaShape& shape, const void* value,
                              const int32_t* spatialShapes, const int32_t* levelStartIndex,
                              const float* samplingLocations, const void* attentionWeights, void* output,
                              cudaStream_t stream);

}  // namespace trtkit
