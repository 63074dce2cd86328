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
  return kLoads == kBudget ? (kShared ? 4 : 1) : kEx >= 2 ? 5 : 0;
}
static_assert(minBlocksFor<kBudget, true, kPackedLerpHalf>() == residentBlocksPerSm(kBudget) &&
                  minBlocksFor<kZeroVector, true, kPackedLerpHalf>() == residentBlocksPerSm(kZeroVector),
              "the resident grid's size must be the blocks the register budget lets fit");

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

// cornerRows() as one word: the top-left corner's offset in bytes with bit k set when corner k (top-left,
// top-right, bottom-left, bottom-right) is inside the level (0: the point is outside). `rowBytes` is a multiple
// of 16 on the byte paths, so the four low bits are free.
__device__ __forceinline__ bool cornerWord(float2 xy, const int32_t* __restrict__ shapes,
                                           const int32_t* __restrict__ starts, int l, int rowBytes, int& word,
                                           float& lh, float& lw) {
  word = 0;
  lh = lw = 0.f;
  Cell c;
  if (!cellOf(xy, shapes, starts, l, rowBytes, c)) return false;
  lh = c.lh;
  lw = c.lw;
  const bool top = c.hl >= 0, bottom = c.hl + 1 < c.H, left = c.wl >= 0, right = c.wl + 1 < c.W;
  word = c.base | (top && left ? 1 : 0) | (top && right ? 2 : 0) | (bottom && left ? 4 : 0) | (bottom && right ? 8 : 0);
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
// (kFourCorners: four, -1 outside the level; the row forms: cornerRows' two rows, in elements or bytes) and the
// four weights (kByteRowsHalf: packed as two half2 words).
template <int kEx>
struct PointMsg {
  static constexpr int kInts = kEx == kFourCorners ? 4 : kEx == kPackedLerpHalf ? 1 : 2;
  static constexpr int kWords = kEx == kByteRowsHalf || kEx >= kByteRowsLerpHalf ? 2 : 4;
  int ints[kInts];
  float w[kWords];  // kByteRowsHalf: the bits of two half2 (the four weights); kByteRowsLerpHalf: the bits of the
                    // half2 (1 - lw, lw), then of the half2 of the top and bottom rows' weights
};

__device__ __forceinline__ float half2Bits(__half2 h) {
  return __uint_as_float(*reinterpret_cast<const unsigned*>(&h));
}
__device__ __forceinline__ __half2 bitsHalf2(float f) {
  const unsigned u = __float_as_uint(f);
  return *reinterpret_cast<const __half2*>(&u);
}

// The four weights of a message as fp32.
template <int kEx>
__device__ __forceinline__ void msgWeights(const PointMsg<kEx>& m, float* w) {
  if constexpr (kEx == kByteRowsHalf) {
#pragma unroll
    for (int k = 0; k < 2; ++k) {
      const float2 f = __half22float2(bitsHalf2(m.w[k]));
      w[2 * k] = f.x;
      w[2 * k + 1] = f.y;
    }
  } else {
#pragma unroll
    for (int k = 0; k < 4; ++k) w[k] = m.w[k];
  }
}

// A lane's location and attention weight of point p (has: the lane has a point this round).
template <typename T>
__device__ __forceinline__ void fetchPoint(bool has, int p, const float2* __restrict__ locp,
                                           const T* __restrict__ attp, float2& xy, float& a) {
  xy = has ? __ldg(locp + p) : make_float2(0.f, 0.f);
  a = has ? toFloat(attp[p]) : 0.f;
}

// The message of a lane's point p of level l, or an empty one. `row` is in elements, `rowBytes` in bytes (the
// byte forms' offsets).
template <int kEx>
__device__ __forceinline__ void pointMsg(bool has, float2 xy, float a, int l, const int32_t* __restrict__ shapes,
                                         const int32_t* __restrict__ starts, int row, int rowBytes,
                                         PointMsg<kEx>& m) {
  if (has) {
    if constexpr (kEx == kFourCorners) {
      corners(xy, a, shapes, starts, l, row, m.ints, m.w);
    } else {
      float lh, lw;
      // Outside the level every weight is 0, as in corners(): a non-finite attention weight there stays unread.
      if constexpr (kEx == kPackedLerpHalf) {
        if (!cornerWord(xy, shapes, starts, l, rowBytes, m.ints[0], lh, lw)) a = 0.f;
      } else {
        if (!cornerRows(xy, shapes, starts, l, kEx >= kByteRows ? rowBytes : row, m.ints, lh, lw)) a = 0.f;
      }
      if constexpr (kEx == kByteRowsHalf) {
        float w[4];
        bilinearWeights(lh, lw, a, w);
        m.w[0] = half2Bits(__floats2half2_rn(w[0], w[1]));
        m.w[1] = half2Bits(__floats2half2_rn(w[2], w[3]));
      } else if constexpr (kEx >= kByteRowsLerpHalf) {
        m.w[0] = half2Bits(__floats2half2_rn(1.f - lw, lw));
        m.w[1] = half2Bits(__floats2half2_rn((1.f - lh) * a, lh * a));
      } else {
        bilinearWeights(lh, lw, a, m.w);
      }
    }
    return;
  }
#pragma unroll
  for (int k = 0; k < PointMsg<kEx>::kInts; ++k) m.ints[k] = kEx == kFourCorners ? -1 : 0;
#pragma unroll
  for (int k = 0; k < PointMsg<kEx>::kWords; ++k) m.w[k] = 0.f;
}

// pointMsg<kPackedLerpHalf> without a branch, for the unrolled kernels: the lane's location, weight and level table
// are loaded whether or not the point turns out inside (the caller's pointers are in bounds for a lane without a
// pair), and the message is masked by selects. pointMsg's branch split every round into blocks of its own, so each
// round waited for its location from DRAM and then, in a second trip, for its weight, which the compiler had moved
// into the branch; without it the scheduler issues a round's loads during the previous round. Same message bits for
// every input: the flags come from the float comparisons equal to pointMsg's integer ones (floor(him) >= 0 is
// him >= 0; floor(him) + 1 < H is him < H - 1), so a point far outside overflows nothing, and an outside point's
// weight, even a non-finite one, is never read (fp16 encoder on an H100: kernels.md, eighth session). Returns the bytes
// between two rows of level l (the round's levelRow: every lane's point of a round is in the same level).
template <typename T>
__device__ __forceinline__ int packedMsg(bool has, const float2* __restrict__ locp, const T* __restrict__ attp, int p,
                                          int l, const int32_t* __restrict__ shapes,
                                          const int32_t* __restrict__ starts, int rowBytes,
                                          PointMsg<kPackedLerpHalf>& m) {
  const float2 xy = __ldg(locp + p);
  const float a = toFloat(attp[p]);
  const int H = __ldg(shapes + 2 * l), W = __ldg(shapes + 2 * l + 1), start = __ldg(starts + l);
  const float him = xy.y * H - 0.5f;
  const float wim = xy.x * W - 0.5f;
  const bool inside = has && him > -1.f && wim > -1.f && him < H && wim < W;
  const int hl = __float2int_rd(him), wl = __float2int_rd(wim);  // saturating; used only inside the level
  const float lh = inside ? him - hl : 0.f, lw = inside ? wim - wl : 0.f;
  const bool top = him >= 0.f, bottom = him < H - 1, left = wim >= 0.f, right = wim < W - 1;
  const unsigned cell = static_cast<unsigned>(start) + static_cast<unsigned>(hl) * static_cast<unsigned>(W) +
                        static_cast<unsigned>(wl);  // unsigned: wraps instead of overflowing outside
  const unsigned word = cell * static_cast<unsigned>(rowBytes) | (top && left ? 1u : 0u) | (top && right ? 2u : 0u) |
                        (bottom && left ? 4u : 0u) | (bottom && right ? 8u : 0u);
  m.ints[0] = inside ? static_cast<int>(word) : 0;
  const float aw = inside ? a : 0.f;
  m.w[0] = half2Bits(__floats2half2_rn(1.f - lw, lw));
  m.w[1] = half2Bits(__floats2half2_rn((1.f - lh) * aw, lh * aw));
  return W * rowBytes;
}

// The messages of lanes src and src + 1 (the two points of a step), in the order the four-corner form always
// used: the compiler schedules the loads after them, and this order measured fastest.
template <int kEx>
__device__ __forceinline__ void shufflePair(const PointMsg<kEx>& m, int src, PointMsg<kEx>& a, PointMsg<kEx>& b) {
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    if (k < PointMsg<kEx>::kInts) a.ints[k] = __shfl_sync(0xffffffffu, m.ints[k], src);
    if (k < PointMsg<kEx>::kWords) a.w[k] = __shfl_sync(0xffffffffu, m.w[k], src);
    if (k < PointMsg<kEx>::kInts) b.ints[k] = __shfl_sync(0xffffffffu, m.ints[k], src + 1);
    if (k < PointMsg<kEx>::kWords) b.w[k] = __shfl_sync(0xffffffffu, m.w[k], src + 1);
  }
}

// The byte forms' load: 16 bytes at p + kOff where `on`, else zeros, as one predicated instruction (the C++
// form of it compiles to a branch per load, or with a zero vector to two selects per address).
template <int kOff>
__device__ __forceinline__ uint4 loadIf(int on, const char* p) {
#ifdef __CUDA_ARCH__
  uint4 v;
  asm("{\n\t.reg .pred q;\n\tsetp.ne.b32 q, %5, 0;\n\tmov.b32 %0, 0;\n\tmov.b32 %1, 0;\n\tmov.b32 %2, 0;\n\t"
      "mov.b32 %3, 0;\n\t@q ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4+%6];\n\t}"
      : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
      : "l"(p), "r"(on), "n"(kOff));
  return v;
#else
  return on ? __ldg(reinterpret_cast<const uint4*>(p + kOff)) : uint4{};
#endif
}

// The two corner vectors of a byte-form row r (flags in its low bits, as cornerRows) from the lane's first byte;
// the right corner is `rowBytes` further (kRowB: known at compile time, carried by the load instruction).
template <int kRowB>
__device__ __forceinline__ void loadByteRow(const char* lane, int r, int rowBytes, uint4* raw) {
  const char* p = lane + (r & ~3);  // signed: a row left of the level (wl = -1) starts one position before it
  raw[0] = loadIf<0>(r & 1, p);
  raw[1] = kRowB != 0 ? loadIf<kRowB>(r & 2, p) : loadIf<0>(r & 2, p + rowBytes);
}

// The four corner vectors of a message's point, in weight order.
template <int kLoads, int kEx, int kRowB, typename T>
__device__ __forceinline__ void loadMsg(const T* vbase, const PointMsg<kEx>& m, int row, int rowBytes, int levelRow,
                                        uint4* raw) {
  if constexpr (kEx == kPackedLerpHalf) {
    // levelRow: the bytes between two rows of the round's level
    const int w = m.ints[0];
    const char* top = reinterpret_cast<const char*>(vbase) + (w & ~15);
    const char* bottom = top + levelRow;
    raw[0] = loadIf<0>(w & 1, top);
    raw[1] = kRowB != 0 ? loadIf<kRowB>(w & 2, top) : loadIf<0>(w & 2, top + rowBytes);
    raw[2] = loadIf<0>(w & 4, bottom);
    raw[3] = kRowB != 0 ? loadIf<kRowB>(w & 8, bottom) : loadIf<0>(w & 8, bottom + rowBytes);
  } else if constexpr (kEx >= kByteRows) {
    const char* lane = reinterpret_cast<const char*>(vbase);
    loadByteRow<kRowB>(lane, m.ints[0], rowBytes, raw);
    loadByteRow<kRowB>(lane, m.ints[1], rowBytes, raw + 2);
  } else if constexpr (kEx == kRowPairs) {
    loadRow<kLoads>(vbase, m.ints[0], row, raw);
    loadRow<kLoads>(vbase, m.ints[1], row, raw + 2);
  } else {
#pragma unroll
    for (int k = 0; k < 4; ++k) raw[k] = cornerLoad<kLoads>(vbase, m.ints[k], 0);
  }
}

// acc += the point's four corner vectors raw[0..3] (top-left, top-right, bottom-left, bottom-right) by the
// message's weights. kByteRowsLerpHalf blends each row's two corners in fp16 first (a row's result rounded to
// fp16 once), then adds the rows in fp32: half the conversions and products.
template <int kEx, typename T>
__device__ __forceinline__ void blendPoint(float* acc, const uint4* raw, const PointMsg<kEx>& m, T) {
  if constexpr (kEx >= kByteRowsLerpHalf) {
    const __half2 f = bitsHalf2(m.w[0]);
    const __half2 fl = __low2half2(f), fr = __high2half2(f);
    const float2 rw = __half22float2(bitsHalf2(m.w[1]));
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const __half2* left = reinterpret_cast<const __half2*>(raw + 2 * r);
      const __half2* right = reinterpret_cast<const __half2*>(raw + 2 * r + 1);
      const float wr = r == 0 ? rw.x : rw.y;
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float2 x = __half22float2(__hfma2(right[i], fr, __hmul2(left[i], fl)));
        acc[2 * i] += wr * x.x;
        acc[2 * i + 1] += wr * x.y;
      }
    }
  } else {
    float w[4];
    msgWeights(m, w);
#pragma unroll
    for (int k = 0; k < 4; ++k) accumulate(acc, raw[k], w[k], T());
  }
}

}  // namespace msda
}  // namespace trtkit
