#pragma once
// The SegFormer upsample + argmax kernels (segformer_argmax.cu launches them; postprocess.h has the layout) and the
// plan of a call. Device code that also compiles for the host emulator of the tests (test/native/cuda_emulator.h).
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "vec.cuh"

// The block's dynamic shared memory as an array of T; the CPU emulator (TRTKIT_CUDA_EMULATOR) hands out its own.
#ifdef TRTKIT_CUDA_EMULATOR
#define TRTKIT_DYNAMIC_SHARED(T, name) T* name = cuda_emulator::dynamicShared<T>()
#else
#define TRTKIT_DYNAMIC_SHARED(T, name) extern __shared__ T name[]
#endif

namespace trtkit {
namespace segformer {

using detail::toFloat;

// Source coordinate of output position dst (PyTorch's rule for align_corners=False), one expression for
// every kernel so they all round it alike.
__device__ __forceinline__ float sourceCoord(int dst, float scale) { return scale * (dst + 0.5f) - 0.5f; }

__device__ __forceinline__ void sourceIndex(int dst, int inSize, float scale, int& i0, int& i1, float& l1) {
  float src = sourceCoord(dst, scale);
  if (src < 0.f) src = 0.f;
  i0 = static_cast<int>(src);
  i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
  l1 = src - i0;
}

// w0 * a + w1 * b, rounded as the compiler contracts the plain expression (one product, then a fused
// multiply-add), written out so the tile and row kernels round every blend identically.
__device__ __forceinline__ float blend(float w0, float a, float w1, float b) {
  return __fmaf_rn(w0, a, __fmul_rn(w1, b));
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
  TRTKIT_DYNAMIC_SHARED(float, cols);  // [kRowsPerBlock][classes][span]
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
      rc[i] = blend(ly0, toFloat(p[y0 * inW + j]), ly1, toFloat(p[y1 * inW + j]));
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
    best[r] = blend(lx0, c0[0], lx1, c1[0]);
    bestC[r] = 0;
  }
  for (int c = 1; c < classes; ++c) {
#pragma unroll
    for (int r = 0; r < kRowsPerBlock; ++r) {
      const float* rc = cols + (r * classes + c) * span;
      const float v = blend(lx0, rc[x0 - first], lx1, rc[x1 - first]);
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

// Upsampling (output at least the input size on both axes): every output pixel whose source corners are
// the same 2x2 input cell shares the four logits of each class, so one thread takes a run of up to
// kTileP x kTileP such pixels (the 4x4 pixels of one cell at SegFormer's 4x) and, per class, reads four
// values, blends the kTileP rows vertically and then every pixel horizontally (the row kernel's order
// and rounding, so both give identical maps). Along each axis the output splits into in + 1 segments by
// key(x) = 0 where the source coordinate is clamped at 0, else floor(source) + 1; segment k uses input
// cells k - 1 and k (clamped to the edges). A block of kTileX x kTileY threads stages the classes' input
// footprint (kTileX + 1 columns x kTileY + 1 rows) in shared memory as fp32, a chunk of at most
// kTileClasses classes at a time. Against the row kernel this cuts shared-memory reads per pixel and class
// from 2 to 0.25 and the blends' instructions by about half; Nsight Compute (H100, 19 classes, 4x): 8.5 M
// warp instructions instead of 15 M, issue-bound at ~3.5 resident warps per scheduler (registers).
constexpr int kTileP = 4;
constexpr int kTileX = 32, kTileY = 4;
constexpr int kFootX = kTileX + 1, kFootY = kTileY + 1, kFoot = kFootX * kFootY;
constexpr int kTileClasses = 32;
constexpr int kStageBatch = 16;

__device__ __forceinline__ int segmentKey(int dst, float scale) {
  const float src = sourceCoord(dst, scale);
  return src < 0.f ? 0 : static_cast<int>(src) + 1;
}

// First output position of segment k (k in 0..inSize + 1): an estimate, then corrected against the exact
// fp32 keys (the key is non-decreasing in dst).
__device__ __forceinline__ int segmentStart(int k, int outSize, float scale) {
  if (k <= 0) return 0;
  int d = static_cast<int>(ceilf((k - 0.5f) / scale - 0.5f));
  d = max(0, min(d, outSize));
  while (d > 0 && segmentKey(d - 1, scale) >= k) --d;
  while (d < outSize && segmentKey(d, scale) < k) ++d;
  return d;
}

// One class's values at a thread's kTileP x kTileP pixels: vertical blends first, then horizontal.
__device__ __forceinline__ void tileValues(const float* f, int o00, int o01, int o10, int o11,
                                           const float (&lx0)[kTileP], const float (&lx1)[kTileP],
                                           const float (&ly0)[kTileP], const float (&ly1)[kTileP],
                                           float (&v)[kTileP][kTileP]) {
  const float a = f[o00], b = f[o01], d = f[o10], e = f[o11];
#pragma unroll
  for (int r = 0; r < kTileP; ++r) {
    const float left = blend(ly0[r], a, ly1[r], d), right = blend(ly0[r], b, ly1[r], e);
#pragma unroll
    for (int i = 0; i < kTileP; ++i) v[r][i] = blend(lx0[i], left, lx1[i], right);
  }
}

// At most 96 registers, so five 128-thread blocks fit per SM: SegFormer's 1024x1024 map is 585 blocks,
// one wave on 132 SMs (118 registers unbounded: four blocks per SM, two waves). No spills.
template <typename T, typename O>
__global__ void __launch_bounds__(kTileX * kTileY, 5)
    upsampleArgmaxTileKernel(int classes, int inH, int inW, int outH, int outW, float scaleH, float scaleW, int subX,
                             int subY, const T* __restrict__ logits, O* __restrict__ out) {
  TRTKIT_DYNAMIC_SHARED(float, foot);  // [chunk classes][kFootY][kFootX]
  const int n = blockIdx.z;
  // This thread's segment along each axis and its share of it (subX / subY threads per segment).
  const int segsX = kTileX / subX, segsY = kTileY / subY;
  const int firstX = static_cast<int>(blockIdx.x) * segsX, firstY = static_cast<int>(blockIdx.y) * segsY;
  const int segX = firstX + static_cast<int>(threadIdx.x) / subX, partX = static_cast<int>(threadIdx.x) % subX;
  const int segY = firstY + static_cast<int>(threadIdx.y) / subY, partY = static_cast<int>(threadIdx.y) % subY;
  // Input columns / rows the block reads: from its first segment's cell on, clamped into the input
  // (signed arithmetic: the first block's segment 0 would wrap around as unsigned).
  const int colFirst = max(firstX - 1, 0), rowFirst = max(firstY - 1, 0);
  const int cx0 = max(segX - 1, 0), cy0 = max(segY - 1, 0);
  const int cx1 = min(cx0 + 1, inW - 1), cy1 = min(cy0 + 1, inH - 1);
  const int o00 = (cy0 - rowFirst) * kFootX + (cx0 - colFirst), o01 = (cy0 - rowFirst) * kFootX + (cx1 - colFirst);
  const int o10 = (cy1 - rowFirst) * kFootX + (cx0 - colFirst), o11 = (cy1 - rowFirst) * kFootX + (cx1 - colFirst);
  int xBegin = 0, xEnd = 0, yBegin = 0, yEnd = 0;
  if (segX <= inW && segY <= inH) {
    xBegin = segmentStart(segX, outW, scaleW);
    xEnd = segmentStart(segX + 1, outW, scaleW);
    yBegin = segmentStart(segY, outH, scaleH);
    yEnd = segmentStart(segY + 1, outH, scaleH);
  }
  // Runs of kTileP pixels of this thread: x runs start at xBegin + (partX + i * subX) * kTileP.
  const int strideX = subX * kTileP, strideY = subY * kTileP;
  const int runsX = max(0, (xEnd - xBegin - partX * kTileP + strideX - 1) / strideX);
  const int runsY = max(0, (yEnd - yBegin - partY * kTileP + strideY - 1) / strideY);
  const int runs = runsX * runsY;
  const long long plane = static_cast<long long>(inH) * inW;
  const T* base = logits + static_cast<long long>(n) * classes * plane;
  const int threads = kTileX * kTileY, tid = static_cast<int>(threadIdx.y * kTileX + threadIdx.x);
  const bool oneChunk = classes <= kTileClasses;
  // Every thread of the block runs the same number of iterations: the barriers inside need them all.
  for (int run = 0; __syncthreads_or(run < runs); ++run) {
    const bool active = run < runs;
    const int rx = active ? run % runsX : 0, ry = active ? run / runsX : 0;
    const int xa = xBegin + partX * kTileP + rx * strideX, ya = yBegin + partY * kTileP + ry * strideY;
    // Pixels past the run's end repeat its last pixel (computed, not stored): no branches in the class loop.
    float lx0[kTileP], lx1[kTileP], ly0[kTileP], ly1[kTileP];
#pragma unroll
    for (int i = 0; i < kTileP; ++i) {
      int a, b;
      sourceIndex(max(min(xa + i, xEnd - 1), 0), inW, scaleW, a, b, lx1[i]);
      lx0[i] = 1.f - lx1[i];
      sourceIndex(max(min(ya + i, yEnd - 1), 0), inH, scaleH, a, b, ly1[i]);
      ly0[i] = 1.f - ly1[i];
    }
    float best[kTileP][kTileP];
    int bestC[kTileP][kTileP];
    for (int c0 = 0; c0 < classes; c0 += kTileClasses) {
      const int cn = min(kTileClasses, classes - c0);
      if (!oneChunk || run == 0) {
        if (!oneChunk) __syncthreads();  // the previous chunk's reads are done
        // kStageBatch loads per thread in flight before any store (SegFormer's 19 classes: two batches), so
        // the staging costs about two memory latencies rather than one per few loads.
        const int items = cn * kFoot;
        for (int i0 = tid; i0 < items; i0 += kStageBatch * threads) {
          T raw[kStageBatch];
#pragma unroll
          for (int u = 0; u < kStageBatch; ++u) {
            const int i = min(i0 + u * threads, items - 1);
            const int c = i / kFoot, f = i - c * kFoot;
            const int fy = f / kFootX, fx = f - fy * kFootX;
            const int row = min(rowFirst + fy, inH - 1), col = min(colFirst + fx, inW - 1);
            raw[u] = base[(c0 + c) * plane + row * inW + col];
          }
#pragma unroll
          for (int u = 0; u < kStageBatch; ++u) {
            const int i = i0 + u * threads;
            if (i < items) foot[i] = toFloat(raw[u]);
          }
        }
        __syncthreads();
      }
      if (active) {
        int c = 0;
        if (c0 == 0) {  // class 0 starts the maximum (even a NaN, as in the other kernels)
          float v[kTileP][kTileP];
          tileValues(foot, o00, o01, o10, o11, lx0, lx1, ly0, ly1, v);
#pragma unroll
          for (int r = 0; r < kTileP; ++r) {
#pragma unroll
            for (int i = 0; i < kTileP; ++i) {
              best[r][i] = v[r][i];
              bestC[r][i] = 0;
            }
          }
          c = 1;
        }
        for (; c < cn; ++c) {
          float v[kTileP][kTileP];
          tileValues(foot + c * kFoot, o00, o01, o10, o11, lx0, lx1, ly0, ly1, v);
#pragma unroll
          for (int r = 0; r < kTileP; ++r) {
#pragma unroll
            for (int i = 0; i < kTileP; ++i) {
              if (v[r][i] > best[r][i]) {
                best[r][i] = v[r][i];
                bestC[r][i] = c0 + c;
              }
            }
          }
        }
      }
    }
    if (active) {
#pragma unroll
      for (int r = 0; r < kTileP; ++r) {
        if (ya + r >= yEnd) break;
        O* o = out + (static_cast<long long>(n) * outH + ya + r) * outW;
#pragma unroll
        for (int i = 0; i < kTileP; ++i)
          if (xa + i < xEnd) o[xa + i] = static_cast<O>(bestC[r][i]);
      }
    }
  }
}

// Threads per segment along one axis: runs of kTileP pixels cover an upsampling ratio of up to
// kTileP * threads (a power of two, at most `cap`); longer segments loop.
inline int threadsPerSegment(int inSize, int outSize, int cap) {
  const int ratio = detail::ceilDiv(outSize, inSize);
  int t = 1;
  while (t < cap && t * kTileP < ratio) t *= 2;
  return t;
}

// How a call runs: the kernel (`path` 1 tile, 2 row, 3 per pixel), its grid, block and dynamic shared memory, and
// the tile kernel's threads per segment. `path` 0 chooses: the tile kernel when upsampling, else the row kernel
// where its staging fits in 48 KB, else a thread per pixel. Returns false where the path asked for cannot run.
struct Plan {
  int path;
  dim3 grid, block;
  size_t smem;
  int subX, subY;
  float scaleH, scaleW;
};
inline bool plan(int path, int batch, int classes, int inH, int inW, int outH, int outW, Plan& p) {
  p.scaleH = static_cast<float>(inH) / outH;
  p.scaleW = static_cast<float>(inW) / outW;
  p.subX = p.subY = 1;
  const bool upsampling = outH >= inH && outW >= inW;
  // Source columns one row segment can touch: at most 255 * scale + 3 (both neighbours, floor effects);
  // the margin also covers the kernel's fp32 rounding of the scale.
  const int span = static_cast<int>(std::ceil(static_cast<double>(kRowThreads) * inW / outW)) + 4;
  const size_t rowSmem = static_cast<size_t>(kRowsPerBlock) * classes * span * sizeof(float);
  p.path = path != 0 ? path : upsampling ? 1 : rowSmem <= 48 * 1024 ? 2 : 3;
  if (p.path == 1) {
    if (!upsampling) return false;
    p.subX = threadsPerSegment(inW, outW, kTileX);
    p.subY = threadsPerSegment(inH, outH, kTileY);
    p.grid = dim3(detail::ceilDiv(inW + 1, kTileX / p.subX), detail::ceilDiv(inH + 1, kTileY / p.subY), batch);
    p.block = dim3(kTileX, kTileY, 1);
    p.smem = static_cast<size_t>(std::min(classes, kTileClasses)) * kFoot * sizeof(float);
    return p.grid.y <= 65535;
  }
  if (p.path == 2) {
    p.grid = dim3(detail::ceilDiv(outW, kRowThreads), detail::ceilDiv(outH, kRowsPerBlock), batch);
    p.block = dim3(kRowThreads, 1, 1);
    p.smem = rowSmem;
    return rowSmem <= 48 * 1024;
  }
  if (p.path == 3) {
    p.grid = dim3(detail::ceilDiv(outW, 256), outH, batch);
    p.block = dim3(256, 1, 1);
    p.smem = 0;
    return true;
  }
  return false;
}

}  // namespace segformer
}  // namespace trtkit
