#pragma once
// LayerNorm over the last axis: y = (x - mean) / sqrt(var + eps) * gamma + beta, fp32 accumulation.
//   x, y   [rows, cols]  dtype (fp32 or fp16)
//   gamma, beta [cols]   dtype, each may be null (then 1 and 0)
#include <cuda_runtime.h>

#include <cstdint>

#include "dtype.h"

namespace trtkit {

cudaError_t layerNorm(DType dtype, int64_t rows, int cols, const void* x, const void* gamma, const void* beta,
                      float eps, void* y, cudaStream_t stream);

}  // namespace trtkit
