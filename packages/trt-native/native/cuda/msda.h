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

namespace trtkit {

struct MsdaShape {
  int batch;     // N
  int spatial;   // S (sum of H*W over levels)
  int heads;     // M
  int channels;  // D
  int queries;   // Lq
  int levels;    // L (at most kMsdaMaxLevels)
  int points;    // P
};

constexpr int kMsdaMaxLevels = 16;

// Wide design: 16-byte loads, several channels per thread, points split across threads when the
// launch is small. Falls back to the scalar kernel when D or the pointers do not allow 16-byte access.
cudaError_t msdaForward(DType dtype, const MsdaShape& shape, const void* value, const int32_t* spatialShapes,
                        const int32_t* levelStartIndex, const float* samplingLocations,
                        const void* attentionWeights, void* output, cudaStream_t stream);

// The wide kernel with a fixed design, for tuning and benchmarks: `vectorsPerThread` 16-byte vectors of
// channels per thread (1, 2 or 4) and, with 1, `pointSplit` threads sharing one channel group's points
// (1, 2, 4 or 8); `cornerSharing` 2 makes the lanes of a pair share each point's corner computation (one
// vector, no split), 1 turns that off; `blockThreads` 64, 128 or 256 threads per block of the split kernel;
// `loadForm` how corner loads are written (msda_sampling.cuh's LoadForm: 1 predicated, 2 unconditional with a
// zero vector, 3 that with a stated register budget; forms 2 and 3 exist for the shared-corner kernel and the
// 8-way split kernel); 0 anywhere chooses as msdaForward does. Returns cudaErrorInvalidValue where D does not
// allow the design.
cudaError_t msdaForwardTuned(DType dtype, const MsdaShape& shape, const void* value, const int32_t* spatialShapes,
                             const int32_t* levelStartIndex, const float* samplingLocations,
                             const void* attentionWeights, void* output, int pointSplit, int vectorsPerThread,
                             int cornerSharing, int blockThreads, int loadForm, cudaStream_t stream);

// Baseline: one thread per output channel with scalar loads (the classic design), for comparison.
cudaError_t msdaForwardScalar(DType dtype, const MsdaShape& shape, const void* value,
                              const int32_t* spatialShapes, const int32_t* levelStartIndex,
                              const float* samplingLocations, const void* attentionWeights, void* output,
                              cudaStream_t stream);

}  // namespace trtkit
