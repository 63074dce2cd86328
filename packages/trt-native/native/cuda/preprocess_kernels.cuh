#pragma once
// The preprocess kernel (preprocess.cu launches it; preprocess.h has the layout). Device code that also compiles for
// the host emulator of the tests (test/native/cuda_emulator.h).
#include <cuda_fp16.h>

#include <cstdint>

#include "preprocess.h"
#include "vec.cuh"

namespace trtkit {
namespace preprocess {

using detail::fromFloat;

// PyTorch's area_pixel_compute_source_index for align_corners=False, then its index/lambda split.
__device__ __forceinline__ void sourceIndex(int dst, int inSize, float scale, int& i0, int& i1, float& l1) {
  float src = scale * (dst + 0.5f) - 0.5f;
  if (src < 0.f) src = 0.f;
  i0 = static_cast<int>(src);
  i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
  l1 = src - i0;
}

template <typename T>
__global__ void __launch_bounds__(256) preprocessKernel(PreprocessParams p, float scaleH, float scaleW,
                                                        const uint8_t* __restrict__ src, T* __restrict__ out) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y;
  if (x >= p.outW) return;
  const long long plane = static_cast<long long>(p.outH) * p.outW;
  T* o = out + static_cast<long long>(p.batchIndex) * 3 * plane + static_cast<long long>(y) * p.outW + x;
  if (y >= p.resizeH || x >= p.resizeW) {
    const T pad = fromFloat<T>(p.padValue);
    o[0] = pad;
    o[plane] = pad;
    o[2 * plane] = pad;
    return;
  }
  int y0, y1, x0, x1;
  float ly1, lx1;
  sourceIndex(y, p.srcH, scaleH, y0, y1, ly1);
  sourceIndex(x, p.srcW, scaleW, x0, x1, lx1);
  const float ly0 = 1.f - ly1, lx0 = 1.f - lx1;
  const uint8_t* r0 = src + static_cast<long long>(y0) * p.srcRowStride;
  const uint8_t* r1 = src + static_cast<long long>(y1) * p.srcRowStride;
#pragma unroll
  for (int c = 0; c < 3; ++c) {
    const float v = ly0 * (lx0 * r0[x0 * 3 + c] + lx1 * r0[x1 * 3 + c]) +
                    ly1 * (lx0 * r1[x0 * 3 + c] + lx1 * r1[x1 * 3 + c]);
    o[c * plane] = fromFloat<T>((v * (1.f / 255.f) - p.mean[c]) / p.std[c]);
  }
}

}  // namespace preprocess
}  // namespace trtkit
