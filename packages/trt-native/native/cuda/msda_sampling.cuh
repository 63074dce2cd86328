#pragma once
// Device helpers of the MSDA kernels (msda.cu only): bilinear corners of a sampling point, how corner vectors
// are loaded, fp32 accumulation, and the exchange of corners between the lanes of a (query, head) pair.
#include <cuda_fp16.h>

#include <cstdint>

#include "msda_design.h"
#include "vec.cuh"

namespace trtkit {
namespace msda {

using detail::toFloat;

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
// The row exchange keeps the others at 5 blocks of 256 (48 registers; left alone it takes 56 for fp16).
template <int kLoads, bool kShared, int kEx = 1>
constexpr int minBlocksFor() {
  return kLoads == kBudget ? (kShared ? 4 : 1) : kEx == 2 ? 5 : 0;
}

// The four bilinear weights times the attention weight, in corner order (top-left, top-right, bottom-left,
// bottom-right). One expression for both exchange forms, so they give equal bits.
__device__ __forceinline__ void bilinearWeights(float lh, float lw, float aw, float* w) {
  const float hh = 1.f - lh, hw = 1.f - lw;
  w[0] = hh * hw * aw;
  w[1] = hh * lw * aw;
  w[2] = lh * hw * aw;
  w[3] = lh * lw * aw;
}

// Where a sampling point falls in level l: its top-left cell corner (hl, wl), the bilinear fractions (lh, lw)
// and the element offset of that corner from the head's base. The level table is read through the read-only
// cache (a broadcast, L1-resident after the first point), so the first location loads do not wait behind a
// shared-memory fill and a barrier. Returns false for a point outside the level (no corner inside).
struct Cell {
  int H, W, hl, wl, base;
  float lh, lw;
};
__device__ __forceinline__ bool cellOf(float2 xy, const int32_t* __restrict__ shapes,
                                       const int32_t* __restrict__ starts, int l, int row, Cell& c) {
  c.H = __ldg(shapes + 2 * l);
  c.W = __ldg(shapes + 2 * l + 1);
  const float him = xy.y * c.H - 0.5f;
  const float wim = xy.x * c.W - 0.5f;
  if (!(him > -1.f && wim > -1.f && him < c.H && wim < c.W)) return false;
  c.hl = static_cast<int>(floorf(him));
  c.wl = static_cast<int>(floorf(wim));
  c.lh = him - c.hl;
  c.lw = wim - c.wl;
  c.base = (__ldg(starts + l) + c.hl * c.W + c.wl) * row;
  return true;
}

// The four bilinear corners of one sampling point: element offsets from the head's base (-1: outside the
// level, no load) and weights already multiplied by the attention weight.
__device__ __forceinline__ void corners(float2 xy, float aw, const int32_t* __restrict__ shapes,
                                        const int32_t* __restrict__ starts, int l, int row, int* off, float* w) {
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    off[k] = -1;
    w[k] = 0.f;
  }
  Cell c;
  if (!cellOf(xy, shapes, starts, l, row, c)) return;
  const bool top = c.hl >= 0, bottom = c.hl + 1 < c.H, left = c.wl >= 0, right = c.wl + 1 < c.W;
  if (top && left) off[0] = c.base;
  if (top && right) off[1] = c.base + row;
  if (bottom && left) off[2] = c.base + c.W * row;
  if (bottom && right) off[3] = c.base + (c.W + 1) * row;
  bilinearWeights(c.lh, c.lw, aw, w);
}

// corners() in the row form: rows[0] the offset of the top-left corner, rows[1] of the bottom-left one, each
// with bit 0 set when its left corner is inside the level and bit 1 when its right one is (0: the row is
// outside). Offsets are multiples of `row`, itself a multiple of 4 on the wide path, so the two low bits are
// free. Also the bilinear fractions lh, lw. Returns whether the point is inside the level (else rows and
// fractions are 0).
__device__ __forceinline__ bool cornerRows(float2 xy, const int32_t* __restrict__ shapes,
                                           const int32_t* __restrict__ starts, int l, int row, int* rows, float& lh,
                                           float& lw) {
  rows[0] = rows[1] = 0;
  lh = lw = 0.f;
  Cell c;
  if (!cellOf(xy, shapes, starts, l, row, c)) return false;
  lh = c.lh;
  lw = c.lw;
  const int edges = (c.wl >= 0 ? 1 : 0) | (c.wl + 1 < c.W ? 2 : 0);
  if (c.hl >= 0) rows[0] = c.base | edges;
  if (c.hl + 1 < c.H) rows[1] = (c.base + c.W * row) | edges;
  return true;
}

// The two corner vectors of a row in the row form.
template <int kLoads, typename T>
__device__ __forceinline__ void loadRow(const T* vbase, int r, int row, uint4* raw) {
  const T* p = vbase + (r & ~3);
  if (kLoads == kPredicated) {
    raw[0] = (r & 1) ? __ldg(reinterpret_cast<const uint4*>(p)) : uint4{};
    raw[1] = (r & 2) ? __ldg(reinterpret_cast<const uint4*>(p + row)) : uint4{};
    return;
  }
  raw[0] = __ldg((r & 1) ? reinterpret_cast<const uint4*>(p) : &gZeroVector);
  raw[1] = __ldg((r & 2) ? reinterpret_cast<const uint4*>(p + row) : &gZeroVector);
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

// What the lane that computed a point sends the other lanes of its pair: corner offsets in the Exchange form
// (kFourCorners: four, -1 outside the level; kRowPairs: cornerRows' two rows) and the four weights.
template <int kEx>
struct PointMsg {
  static constexpr int kInts = kEx == kFourCorners ? 4 : 2;
  int ints[kInts];
  float w[4];
};

// A lane's location and attention weight of point p (has: the lane has a point this round).
template <typename T>
__device__ __forceinline__ void fetchPoint(bool has, int p, const float2* __restrict__ locp,
                                           const T* __restrict__ attp, float2& xy, float& a) {
  xy = has ? __ldg(locp + p) : make_float2(0.f, 0.f);
  a = has ? toFloat(attp[p]) : 0.f;
}

// The message of a lane's point p of level l, or an empty one.
template <int kEx>
__device__ __forceinline__ void pointMsg(bool has, float2 xy, float a, int l, const int32_t* __restrict__ shapes,
                                         const int32_t* __restrict__ starts, int row, PointMsg<kEx>& m) {
  if (has) {
    if constexpr (kEx == kFourCorners) {
      corners(xy, a, shapes, starts, l, row, m.ints, m.w);
    } else {
      float lh, lw;
      // Outside the level every weight is 0, as in corners(): a non-finite attention weight there stays unread.
      if (!cornerRows(xy, shapes, starts, l, row, m.ints, lh, lw)) a = 0.f;
      bilinearWeights(lh, lw, a, m.w);
    }
    return;
  }
#pragma unroll
  for (int k = 0; k < PointMsg<kEx>::kInts; ++k) m.ints[k] = kEx == kFourCorners ? -1 : 0;
#pragma unroll
  for (int k = 0; k < 4; ++k) m.w[k] = 0.f;
}

// The messages of lanes src and src + 1 (the two points of a step), in the order the four-corner form always
// used: the compiler schedules the loads after them, and this order measured fastest.
template <int kEx>
__device__ __forceinline__ void shufflePair(const PointMsg<kEx>& m, int src, PointMsg<kEx>& a, PointMsg<kEx>& b) {
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    if (k < PointMsg<kEx>::kInts) a.ints[k] = __shfl_sync(0xffffffffu, m.ints[k], src);
    a.w[k] = __shfl_sync(0xffffffffu, m.w[k], src);
    if (k < PointMsg<kEx>::kInts) b.ints[k] = __shfl_sync(0xffffffffu, m.ints[k], src + 1);
    b.w[k] = __shfl_sync(0xffffffffu, m.w[k], src + 1);
  }
}

// The four corner vectors of a message's point, in weight order.
template <int kLoads, int kEx, typename T>
__device__ __forceinline__ void loadMsg(const T* vbase, const PointMsg<kEx>& m, int row, uint4* raw) {
  if constexpr (kEx == kRowPairs) {
    loadRow<kLoads>(vbase, m.ints[0], row, raw);
    loadRow<kLoads>(vbase, m.ints[1], row, raw + 2);
  } else {
#pragma unroll
    for (int k = 0; k < 4; ++k) raw[k] = cornerLoad<kLoads>(vbase, m.ints[k], 0);
  }
}

}  // namespace msda
}  // namespace trtkit
