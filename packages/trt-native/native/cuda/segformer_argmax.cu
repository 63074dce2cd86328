// SegFormer head: bilinear upsample fused with argmax over classes, one thread per output pixel,
// so the full-resolution logits never exist.
#include <cuda_fp16.h>

#include <cmath>

#include "postprocess.h"
#include "vec.cuh"

namespace trtkit {
namespace {

using detail::toFloat;

__device__ __forceinline__ void sourceIndex(int dst, int inSize, float scale, int& i0, int& i1, float& l1) {
  float src = scale * (dst + 0.5f) - 0.5f;
  if (src < 0.f) src = 0.f;
  i0 = static_cast<int>(src);
  i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
  l1 = src - i0;
}

template <typename T, typename O>
__global__ void __launch_bounds__(256) upsampleArgmaxKernel(int classes, int inH, int inW, int outH, int outW,
                                                            float scaleH, float scaleW,
                                                            const T* __restrict__ logits, O* __restrict__ out) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y;
  const int n = blockIdx.z;
  if (x >= outW) return;
  int y0, y1, x0, x1;
  float ly1, lx1;
  sourceIndex(y, inH, scaleH, y0, y1, ly1);
  sourceIndex(x, inW, scaleW, x0, x1, lx1);
  const float ly0 = 1.f - ly1, lx0 = 1.f - lx1;
  const long long plane = static_cast<long long>(inH) * inW;
  const T* base = logits + static_cast<long long>(n) * classes * plane;
  const int o00 = y0 * inW + x0, o01 = y0 * inW + x1, o10 = y1 * inW + x0, o11 = y1 * inW + x1;
  float best = 0.f;
  int bestC = 0;
#pragma unroll 4
  for (int c = 0; c < classes; ++c) {
    const T* p = base + c * plane;
    // Same association as PyTorch's upsample_bilinear2d.
    const float v = ly0 * (lx0 * toFloat(p[o00]) + lx1 * toFloat(p[o01])) +
                    ly1 * (lx0 * toFloat(p[o10]) + lx1 * toFloat(p[o11]));
    if (c == 0 || v > best) {
      best = v;
      bestC = c;
    }
  }
  out[(static_cast<long long>(n) * outH + y) * outW + x] = static_cast<O>(bestC);
}

// Separable form for one output row segment: the block first blends the two source rows of every source
// column it needs, for every class, into shared memory (coalesced global loads, each value read once per
// block), then each thread blends two columns per class from shared memory. Same result as PyTorch up to
// fp32 rounding (the blend order differs), so only exact near-ties can pick a different class.
constexpr int kRowThreads = 256;
constexpr int kRowsPerBlock = 2;  // two output rows per block: fewer blocks, two independent pixels per thread

template <typename T, typename O>
__global__ void __launch_bounds__(kRowThreads) upsampleArgmaxRowKernel(int classes, int inH, int inW, int outH,
                                                                       int outW, float scaleH, float scaleW,
                                                                       const T* __restrict__ logits,
                                                                       O* __restrict__ out) {
  extern __shared__ float cols[];  // [kRowsPerBlock][classes][span]
  const int xFirst = blockIdx.x * kRowThreads;
  const int xLast = min(xFirst + kRowThreads, outW) - 1;
  const int n = blockIdx.z;
  int a0, a1, b0, b1;
  float la, lb;
  sourceIndex(xFirst, inW, scaleW, a0, a1, la);
  sourceIndex(xLast, inW, scaleW, b0, b1, lb);
  const int first = a0, span = b1 - a0 + 1;
  const long long plane = static_cast<long long>(inH) * inW;
  const T* base = logits + static_cast<long long>(n) * classes * plane;
  const float invSpan = 1.f / span;  // c = floor((i + 0.5) / span), exact for these small integers
#pragma unroll
  for (int r = 0; r < kRowsPerBlock; ++r) {
    const int y = min(blockIdx.y * kRowsPerBlock + r, outH - 1);
    int y0, y1;
    float ly1;
    sourceIndex(y, inH, scaleH, y0, y1, ly1);
    const float ly0 = 1.f - ly1;
    float* rc = cols + r * classes * span;
    for (int i = threadIdx.x; i < classes * span; i += kRowThreads) {
      const int c = static_cast<int>((i + 0.5f) * invSpan), j = first + (i - c * span);
      const T* p = base + c * plane;
      rc[i] = ly0 * toFloat(p[y0 * inW + j]) + ly1 * toFloat(p[y1 * inW + j]);
    }
  }
  __syncthreads();
  const int x = xFirst + threadIdx.x;
  if (x > xLast) return;
  int x0, x1;
  float lx1;
  sourceIndex(x, inW, scaleW, x0, x1, lx1);
  const float lx0 = 1.f - lx1;
  float best[kRowsPerBlock];
  int bestC[kRowsPerBlock];
#pragma unroll
  for (int r = 0; r < kRowsPerBlock; ++r) {
    const float* c0 = cols + r * classes * span + (x0 - first);
    const float* c1 = cols + r * classes * span + (x1 - first);
    best[r] = lx0 * c0[0] + lx1 * c1[0];
    bestC[r] = 0;
  }
  for (int c = 1; c < classes; ++c) {
#pragma unroll
    for (int r = 0; r < kRowsPerBlock; ++r) {
      const float* rc = cols + (r * classes + c) * span;
      const float v = lx0 * rc[x0 - first] + lx1 * rc[x1 - first];
      if (v > best[r]) {
        best[r] = v;
        bestC[r] = c;
      }
    }
  }
#pragma unroll
  for (int r = 0; r < kRowsPerBlock; ++r) {
    const int y = blockIdx.y * kRowsPerBlock + r;
    if (y < outH) out[(static_cast<long long>(n) * outH + y) * outW + x] = static_cast<O>(bestC[r]);
  }
}

template <typename T>
cudaError_t launch(int batch, int classes, int inH, int inW, int outH, int outW, const void* logits, void* out,
                   bool outUint8, cudaStream_t stream) {
  const dim3 grid(detail::ceilDiv(outW, 256), outH, batch);
  const float scaleH = static_cast<float>(inH) / outH, scaleW = static_cast<float>(inW) / outW;
  // Source columns one row segment can touch: at most 255 * scale + 3 (both neighbours, floor effects);
  // the margin also covers the kernel's fp32 rounding of the scale.
  const int span = static_cast<int>(std::ceil(static_cast<double>(kRowThreads) * inW / outW)) + 4;
  const size_t smem = static_cast<size_t>(kRowsPerBlock) * classes * span * sizeof(float);
  if (smem <= 48 * 1024) {
    const dim3 rgrid(detail::ceilDiv(outW, kRowThreads), detail::ceilDiv(outH, kRowsPerBlock), batch);
    if (outUint8) {
      upsampleArgmaxRowKernel<T, uint8_t><<<rgrid, kRowThreads, smem, stream>>>(
          classes, inH, inW, outH, outW, scaleH, scaleW, static_cast<const T*>(logits), static_cast<uint8_t*>(out));
    } else {
      upsampleArgmaxRowKernel<T, int32_t><<<rgrid, kRowThreads, smem, stream>>>(
          classes, inH, inW, outH, outW, scaleH, scaleW, static_cast<const T*>(logits), static_cast<int32_t*>(out));
    }
    return cudaGetLastError();
  }
  if (outUint8) {
    upsampleArgmaxKernel<T, uint8_t><<<grid, 256, 0, stream>>>(classes, inH, inW, outH, outW, scaleH, scaleW,
                                                               static_cast<const T*>(logits),
                                                               static_cast<uint8_t*>(out));
  } else {
    upsampleArgmaxKernel<T, int32_t><<<grid, 256, 0, stream>>>(classes, inH, inW, outH, outW, scaleH, scaleW,
                                                               static_cast<const T*>(logits),
                                                               static_cast<int32_t*>(out));
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t upsampleArgmax(DType dtype, int batch, int classes, int inH, int inW, int outH, int outW,
                           const void* logits, void* classMap, bool outUint8, cudaStream_t stream) {
  if (batch < 0 || classes <= 0 || inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0 || outH > 65535 ||
      batch > 65535 || (outUint8 && classes > 256) || static_cast<long long>(classes) * inH * inW > INT32_MAX)
    return cudaErrorInvalidValue;
  if (batch == 0) return cudaSuccess;
  if (dtype == DType::kFloat16) return launch<__half>(batch, classes, inH, inW, outH, outW, logits, classMap, outUint8, stream);
  if (dtype == DType::kFloat32) return launch<float>(batch, classes, inH, inW, outH, outW, logits, classMap, outUint8, stream);
  return cudaErrorInvalidValue;
}

}  // namespace trtkit
