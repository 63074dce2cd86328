#pragma once
// Device helpers of the MSDA kernels (msda.cu only): bilinear corners of a sampling point, how corner vectors
// are loaded, fp32 accumulation, and the exchange of corners between the lanes of a (query, head) pair.
#include <cuda_fp16.h>

#include <cstdint>

#include "vec.cuh"

namespace trtkit {
namespace msda {

using detail::toFloat;

// How corner loads are written. The compiler spreads a step's eight predicated loads through the
// accumulation (one branch each in PTX); unconditional loads measured 3% faster for the fp16 encoder and 5-7%
// for the fp16 decoder, a stated register budget (7-8 loads in flight instead of 2-3) helped only fp32.
// docs/benchmarks/kernels.md, 2026-11-23 second session, has the runs.
enum LoadForm : int {
  kPredicated = 1,  // out-of-level corners skip the load
  kZeroVector = 2,  // every load unconditional: out-of-level corners read gZeroVector (same results)
  kBudget = 3,      // kZeroVector with a stated register budget: the compiler then keeps 7-8 loads in flight
};

// Out-of-level corners of the unconditional load forms read these 16 zero bytes.
static __device__ uint4 gZeroVector;

// 16 bytes at base + off + extra, or zeros where off < 0 (a corner outside the level).
template <int kLoads, typename T>
__device__ __forceinline__ uint4 cornerLoad(const T* base, int off, int extra) {
  if (kLoads == kPredicated) return off >= 0 ? __ldg(reinterpret_cast<const uint4*>(base + off + extra)) : uint4{};
  return __ldg(off >= 0 ? reinterpret_cast<const uint4*>(base + off + extra) : &gZeroVector);
}

// Minimum resident blocks stated to the compiler: 0 leaves the register budget to it. The budget form states
// 4 blocks for the shared-corner kernel (64 registers) and 1 for the split kernel, whose launches are small.
template <int kLoads, bool kShared>
constexpr int minBlocksFor() {
  return kLoads == kBudget ? (kShared ? 4 : 1) : 0;
}

// The four bilinear corners of one sampling point: element offsets from the head's base (-1: outside the
// level, no load) and weights already multiplied by the attention weight. The level table is read through
// the read-only cache (a broadcast, L1-resident after the first point), so the first location loads do
// not wait behind a shared-memory fill and a barrier.
__device__ __forceinline__ void corners(float2 xy, float aw, const int32_t* __restrict__ shapes,
                                        const int32_t* __restrict__ starts, int l, int row, int* off, float* w) {
  const int H = __ldg(shapes + 2 * l), W = __ldg(shapes + 2 * l + 1);
  const float him = xy.y * H - 0.5f;
  const float wim = xy.x * W - 0.5f;
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    off[k] = -1;
    w[k] = 0.f;
  }
  if (!(him > -1.f && wim > -1.f && him < H && wim < W)) return;
  const int hl = static_cast<int>(floorf(him));
  const int wl = static_cast<int>(floorf(wim));
  const float lh = him - hl, lw = wim - wl;
  const float hh = 1.f - lh, hw = 1.f - lw;
  const int base = (__ldg(starts + l) + hl * W + wl) * row;
  const bool top = hl >= 0, bottom = hl + 1 < H, left = wl >= 0, right = wl + 1 < W;
  if (top && left) off[0] = base;
  if (top && right) off[1] = base + row;
  if (bottom && left) off[2] = base + W * row;
  if (bottom && right) off[3] = base + (W + 1) * row;
  w[0] = hh * hw * aw;
  w[1] = hh * lw * aw;
  w[2] = lh * hw * aw;
  w[3] = lh * lw * aw;
}

// acc += w * (16 bytes of T, widened to fp32).
__device__ __forceinline__ void accumulate(float* acc, uint4 raw, float w, __half) {
  const __half2* h = reinterpret_cast<const __half2*>(&raw);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 f = __half22float2(h[i]);
    acc[2 * i] += w * f.x;
    acc[2 * i + 1] += w * f.y;
  }
}
__device__ __forceinline__ void accumulate(float* acc, uint4 raw, float w, float) {
  acc[0] += w * __uint_as_float(raw.x);
  acc[1] += w * __uint_as_float(raw.y);
  acc[2] += w * __uint_as_float(raw.z);
  acc[3] += w * __uint_as_float(raw.w);
}

// This lane's share of a round of the shared-corner kernel: the corners of point p, or none.
template <typename T>
__device__ __forceinline__ void laneCorners(bool has, int p, const float2* __restrict__ locp,
                                            const T* __restrict__ attp, float invPoints,
                                            const int32_t* __restrict__ shapes, const int32_t* __restrict__ starts,
                                            int row, int* off, float* w) {
  if (has) {
    corners(__ldg(locp + p), toFloat(attp[p]), shapes, starts, static_cast<int>((p + 0.5f) * invPoints), row, off, w);
    return;
  }
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    off[k] = -1;
    w[k] = 0.f;
  }
}

// Offsets and weights of two consecutive points of a round, from the lanes `src` and `src + 1` that computed them.
__device__ __forceinline__ void exchangePair(const int* off, const float* w, int src, int* o, float* ww) {
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    o[k] = __shfl_sync(0xffffffffu, off[k], src);
    ww[k] = __shfl_sync(0xffffffffu, w[k], src);
    o[4 + k] = __shfl_sync(0xffffffffu, off[k], src + 1);
    ww[4 + k] = __shfl_sync(0xffffffffu, w[k], src + 1);
  }
}

// The eight corner vectors of two points (offset -1: outside the level, zeros).
template <int kLoads, typename T>
__device__ __forceinline__ void loadCorners(const T* vbase, const int* o, uint4* raw) {
#pragma unroll
  for (int k = 0; k < 8; ++k) raw[k] = cornerLoad<kLoads>(vbase, o[k], 0);
}

}  // namespace msda
}  // namespace trtkit
