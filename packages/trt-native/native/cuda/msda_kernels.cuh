#pragma once
// The kernels of the wide MSDA design (msda.cu launches them; see msda.h for the tensor layouts) and the
// instantiation each resolved design runs. Device code that also compiles for the host emulator of the tests
// (test/native/cuda_emulator.h), so every design is checked on a machine without a GPU.
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "msda_design.h"
#include "msda_sampling.cuh"
#include "vec.cuh"

namespace trtkit {
namespace msda {

using detail::fromFloat;

// Threads of one (n, q, m) pair: `groups` channel groups of NV 16-byte vectors each, times SPLIT point
// subsets. Lane layout inside the pair: split * groups + group, so the split lanes of one channel group sit
// `groups` apart and an xor-shuffle over them sums the partial results. Wider groups (NV > 1) compute each
// point's corners once for more channels; splits give small launches more threads.
template <typename T, int NV, int SPLIT, int kLoads>
__global__ void __launch_bounds__(256, minBlocksFor<kLoads, false>())
    msdaWideKernel(MsdaShape s, PairMap, const T* __restrict__ value, const int32_t* __restrict__ shapes,
                   const int32_t* __restrict__ starts, const float* __restrict__ loc, const T* __restrict__ attn,
                   T* __restrict__ out) {
  constexpr int VEC = detail::Vec16<T>::kN;
  constexpr int CH = VEC * NV;                // channels per thread
  constexpr int PPS = NV == 1 ? 2 : 1;        // points per step: keep about eight 16-byte loads in flight
  const int groups = s.channels / CH;
  const int per = groups * SPLIT;
  const long long tid = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  const long long pairs = static_cast<long long>(s.batch) * s.queries * s.heads;
  const long long pair = tid / per;
  const bool valid = pair < pairs;
  const int rem = static_cast<int>(tid - pair * per);
  const int split = rem / groups;
  const int group = rem - split * groups;

  float acc[CH];
#pragma unroll
  for (int i = 0; i < CH; ++i) acc[i] = 0.f;

  if (valid) {
    const int m = static_cast<int>(pair % s.heads);
    const long long n = pair / (static_cast<long long>(s.heads) * s.queries);
    const int lp = s.levels * s.points;
    const float invPoints = 1.f / s.points;  // level of point p: floor((p + 0.5) / P), exact for small p
    const float2* locp = reinterpret_cast<const float2*>(loc) + pair * lp;
    const T* attp = attn + pair * lp;
    const int row = s.heads * s.channels;  // elements between spatial positions
    const T* vbase = value + n * s.spatial * row + static_cast<long long>(m) * s.channels + group * CH;
    for (int p0 = split; p0 < lp; p0 += PPS * SPLIT) {
      int off[4 * PPS];
      float w[4 * PPS];
#pragma unroll
      for (int j = 0; j < PPS; ++j) {
        const int pj = p0 + j * SPLIT;
        const bool has = pj < lp;
        const float2 xy = has ? __ldg(locp + pj) : make_float2(-2.f, -2.f);
        const float a = has ? toFloat(attp[pj]) : 0.f;
        const int l = static_cast<int>((static_cast<float>(has ? pj : p0) + 0.5f) * invPoints);
        corners(xy, a, shapes, starts, l, row, off + 4 * j, w + 4 * j);
      }
      uint4 raw[4 * PPS][NV];
#pragma unroll
      for (int k = 0; k < 4 * PPS; ++k) {
#pragma unroll
        for (int v = 0; v < NV; ++v)
          raw[k][v] = cornerLoad<kLoads>(vbase, off[k], v * VEC);
      }
#pragma unroll
      for (int k = 0; k < 4 * PPS; ++k) {
#pragma unroll
        for (int v = 0; v < NV; ++v) accumulate(acc + v * VEC, raw[k][v], w[k], T());
      }
    }
  }

  if (SPLIT > 1) {
    // Every lane takes part: the pairs of a warp are whole (per divides 32), invalid lanes add zeros.
#pragma unroll
    for (int off = SPLIT / 2; off > 0; off /= 2) {
#pragma unroll
      for (int i = 0; i < CH; ++i) acc[i] += __shfl_xor_sync(0xffffffffu, acc[i], off * groups);
    }
  }
  if (valid && split == 0) {
    T* o = out + pair * s.channels + group * CH;
#pragma unroll
    for (int v = 0; v < NV; ++v) {
      float part[VEC];
#pragma unroll
      for (int i = 0; i < VEC; ++i) part[i] = acc[v * VEC + i];
      detail::store16(o + v * VEC, part);
    }
  }
}

// One lane's work in the shared-corner kernel: the points of pair sp (0 for a lane without a pair: valid false; it
// still takes part in the shuffles), exchanged with the other lanes of the pair, and its vector of the output. n is
// the pair's image. Index is unsigned on the byte paths (32-bit index arithmetic) and long long elsewhere. A function
// of its own because, written inline in the kernel, the unrolled instance kept one 64-bit value in local memory (8
// bytes spilled, read back before the store), which cost 4% on an H100 (kernels.md, sixth session of 2026-11-23).
// kFlat: each round's message built without a branch (packedMsg), as the resident grid does; on the block grid it
// measured 1-6% slower at 16,000-44,446 queries (and faster at 4,224-8,448), so that kernel keeps pointMsg.
template <typename T, int kLoads, int kEx, bool kAhead, int kRowB, int kLanes, int kPoints, bool kFlat = false,
          typename Index>
__device__ __forceinline__ void sharedPairWork(const MsdaShape& s, bool valid, Index sp, int group, int m, Index n,
                                               const T* __restrict__ value, const int32_t* __restrict__ shapes,
                                               const int32_t* __restrict__ starts, const float* __restrict__ loc,
                                               const T* __restrict__ attn, T* __restrict__ out) {
  using Wide = typename std::conditional<std::is_same<Index, unsigned>::value, size_t, long long>::type;
  constexpr int VEC = detail::Vec16<T>::kN;
  const int groups = kLanes != 0 ? kLanes : s.channels / VEC;
  const int laneBase = (threadIdx.x & 31) - group;
  const int lp = kPoints != 0 ? kPoints : s.levels * s.points;
  const float invPoints = 1.f / s.points;
  const float2* locp = reinterpret_cast<const float2*>(loc) + static_cast<Wide>(sp) * lp;
  const T* attp = attn + static_cast<Wide>(sp) * lp;
  const int row = s.heads * s.channels;
  const int rowBytes = kRowB != 0 ? kRowB : row * static_cast<int>(sizeof(T));
  const T* vbase = value + static_cast<Wide>(n) * s.spatial * row + static_cast<Index>(m) * s.channels + group * VEC;

  float acc[VEC];
#pragma unroll
  for (int i = 0; i < VEC; ++i) acc[i] = 0.f;
  float2 xy = make_float2(0.f, 0.f);  // kAhead: the lane's point of the coming round
  float a = 0.f;
  if (kAhead) fetchPoint(valid && group < lp, group, locp, attp, xy, a);
  // Uniform trip counts: every lane of the warp reaches every shuffle.
#pragma unroll(kPoints != 0 ? kPoints / (kLanes != 0 ? kLanes : 1) : 1)
  for (int r0 = 0; r0 < lp; r0 += groups) {
    const int p = r0 + group;
    const bool has = valid && p < lp;
    PointMsg<kEx> mine;
    int levelRow = 0;  // kPackedLerpHalf: the bytes between two rows of the round's level, the same for every lane
    if constexpr (kFlat) {
      static_assert(kEx == kPackedLerpHalf && kPoints != 0 && !kAhead, "the branch-free message is the unrolled one");
      const int l = static_cast<int>((p + 0.5f) * invPoints);
      levelRow = packedMsg(has, locp, attp, p, l, shapes, starts, rowBytes, mine);
    } else if (kAhead) {
      // This round's point arrived during the last one; the next round's is asked for now.
      const float2 cur = xy;
      const float ca = a;
      fetchPoint(valid && p + groups < lp, p + groups, locp, attp, xy, a);
      pointMsg<kEx>(has, cur, ca, static_cast<int>((p + 0.5f) * invPoints), shapes, starts, row, rowBytes, mine);
    } else if (has) {
      pointMsg<kEx>(true, __ldg(locp + p), toFloat(attp[p]), static_cast<int>((p + 0.5f) * invPoints), shapes, starts,
                    row, rowBytes, mine);
    } else {
      pointMsg<kEx>(false, xy, a, 0, shapes, starts, row, rowBytes, mine);
    }
    // kPackedLerpHalf: the round's points share one level (chooseDesign), whose row length every lane can read.
    if constexpr (kEx == kPackedLerpHalf && !kFlat)
      levelRow = __ldg(shapes + 2 * static_cast<int>((r0 + 0.5f) * invPoints) + 1) * rowBytes;
#pragma unroll(kLanes != 0 ? kLanes / 2 : 1)
    for (int j = 0; j < groups; j += 2) {  // two points per step
      PointMsg<kEx> p0, p1;
      shufflePair(mine, laneBase + j, p0, p1);
      uint4 raw[8];
      loadMsg<kLoads, kEx, kRowB>(vbase, p0, row, rowBytes, levelRow, raw);
      loadMsg<kLoads, kEx, kRowB>(vbase, p1, row, rowBytes, levelRow, raw + 4);
      blendPoint(acc, raw, p0, T());
      blendPoint(acc, raw + 4, p1, T());
    }
  }
  if (valid) detail::store16(out + static_cast<Wide>(sp) * s.channels + group * VEC, acc);
}

// Large launches (the encoder): one 16-byte vector of channels per thread, and the `groups` lanes of a pair
// share the per-point work. Each lane computes the corners of every groups-th point, then the lanes
// exchange offsets and weights by shuffles, so each point's location, level and bilinear weights are
// computed once per pair instead of once per lane (that cut 90.5 -> 79.8 µs). `map` says which pair a lane
// serves (msda_design.h; kBlocked: headsPerWarp > 0), kEx what the lanes exchange per point, kAhead whether a
// lane's sampling location and weight are loaded one round ahead. The byte forms (kEx >= kByteRows) index
// threads in 32 bits (byteRowsOk) and take kRowB, the bytes between spatial positions, when it is known at
// compile time (0: from the shape). kLanes and kPoints, when not 0, are the lanes per pair and the points per pair
// known at compile time (Design::unrolled): the rounds are then unrolled, so the compiler schedules a round's
// shuffles, location loads and corner loads across the round boundaries (2-3% faster on an H100, same bits).
template <typename T, int kLoads, int kEx, bool kAhead, bool kBlocked, int kRowB = 0, int kLanes = 0, int kPoints = 0>
__global__ void __launch_bounds__(256, minBlocksFor<kLoads, true, kEx>())
    msdaSharedKernel(MsdaShape s, PairMap map, const T* __restrict__ value, const int32_t* __restrict__ shapes,
                     const int32_t* __restrict__ starts, const float* __restrict__ loc, const T* __restrict__ attn,
                     T* __restrict__ out) {
  const long long tid = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  constexpr int VEC = detail::Vec16<T>::kN;
  constexpr bool kBytes = kEx >= kByteRows;
  // a power of two, 2..32 (map.lanes): a pair's lanes are whole and aligned
  const int groups = kLanes != 0 ? kLanes : s.channels / VEC;
  bool valid;
  long long pair;
  int group, m;
  long long n;
  if constexpr (kBytes) {
    // 32-bit index arithmetic; groups is a power of two.
    const unsigned t32 = static_cast<unsigned>(tid);
    const unsigned shift = __ffs(groups) - 1;
    const unsigned p32 = t32 >> shift;
    valid = p32 < static_cast<unsigned>(s.batch * s.queries * s.heads);
    const unsigned sp = valid ? p32 : 0u;
    pair = p32;
    group = static_cast<int>(t32 & (groups - 1));
    m = static_cast<int>(sp % static_cast<unsigned>(s.heads));
    n = sp / static_cast<unsigned>(s.heads * s.queries);
  } else {
    pair = kBlocked ? blockedPair(map, tid, &valid) : linearPair(map, tid, &valid);
    group = static_cast<int>(kBlocked ? tid & (groups - 1) : tid - pair * groups);
    const long long sp = valid ? pair : 0;
    m = static_cast<int>(sp % s.heads);
    n = sp / (static_cast<long long>(s.heads) * s.queries);
  }
  if constexpr (kBytes) {
    sharedPairWork<T, kLoads, kEx, kAhead, kRowB, kLanes, kPoints>(s, valid, valid ? static_cast<unsigned>(pair) : 0u,
                                                                   group, m, static_cast<unsigned>(n), value, shapes,
                                                                   starts, loc, attn, out);
  } else {
    sharedPairWork<T, kLoads, kEx, kAhead, kRowB, kLanes, kPoints>(s, valid, valid ? pair : 0LL, group, m, n, value,
                                                                   shapes, starts, loc, attn, out);
  }
}

// One round (4 points) of pair sp for msdaResidentKernel's left-over queries, into acc: sharedPairWork's round body
// for the unrolled shape, with the round given. The step loop repeats sharedPairWork's on purpose: moved into a shared
// function, it changed the machine code of 63 of the 88 MSDA kernels (docs/decisions.md, sixth session).
template <typename T, int kLoads>
__device__ __forceinline__ void residentRound(const MsdaShape& s, bool valid, unsigned q, unsigned sp, int round,
                                              const T* __restrict__ value, const int32_t* __restrict__ shapes,
                                              const int32_t* __restrict__ starts, const float* __restrict__ loc,
                                              const T* __restrict__ attn, float* acc) {
  constexpr int kEx = kPackedLerpHalf;
  constexpr int kRowB = 512;
  constexpr int kLanes = kUnrolledLanes;
  constexpr int VEC = detail::Vec16<T>::kN;
  const unsigned lane = threadIdx.x & 31u;
  const int group = static_cast<int>(lane & (kLanes - 1));
  const int m = static_cast<int>(lane / kLanes);  // the warp's pairs are query q's heads, as in msdaResidentKernel
  const unsigned n = s.batch > 1 && valid ? q / static_cast<unsigned>(s.queries) : 0u;
  const int laneBase = static_cast<int>(lane) - group;
  const float invPoints = 1.f / s.points;
  const float2* locp = reinterpret_cast<const float2*>(loc) + static_cast<size_t>(sp) * kUnrolledPoints;
  const T* attp = attn + static_cast<size_t>(sp) * kUnrolledPoints;
  const int row = s.heads * s.channels;
  const T* vbase = value + static_cast<size_t>(n) * s.spatial * row + m * s.channels + group * VEC;
#pragma unroll
  for (int i = 0; i < VEC; ++i) acc[i] = 0.f;
  const int r0 = round * kLanes;
  const int p = r0 + group;
  PointMsg<kEx> mine;
  int levelRow;
  if constexpr (kLoads == kBudget) {
    levelRow = packedMsg(valid, locp, attp, p, static_cast<int>((p + 0.5f) * invPoints), shapes, starts, kRowB, mine);
  } else {
    if (valid) {
      pointMsg<kEx>(true, __ldg(locp + p), toFloat(attp[p]), static_cast<int>((p + 0.5f) * invPoints), shapes,
                    starts, row, kRowB, mine);
    } else {
      pointMsg<kEx>(false, make_float2(0.f, 0.f), 0.f, 0, shapes, starts, row, kRowB, mine);
    }
    levelRow = __ldg(shapes + 2 * static_cast<int>((r0 + 0.5f) * invPoints) + 1) * kRowB;
  }
#pragma unroll
  for (int j = 0; j < kLanes; j += 2) {  // two points per step, as in sharedPairWork
    PointMsg<kEx> p0, p1;
    shufflePair(mine, laneBase + j, p0, p1);
    uint4 raw[8];
    loadMsg<kLoads, kEx, kRowB>(vbase, p0, row, kRowB, levelRow, raw);
    loadMsg<kLoads, kEx, kRowB>(vbase, p1, row, kRowB, levelRow, raw + 4);
    blendPoint(acc, raw, p0, T());
    blendPoint(acc, raw + 4, p1, T());
  }
}

// The unrolled kernel on a resident grid (Design::resident): as many blocks as fit at once, and each warp (one query:
// 8 heads x 4 lanes) takes whole queries gw, gw + W, gw + 2W, ... (W warps in the grid) for as many rounds as every
// warp can fill, so no block is dispatched after the start and the waves of blocks cannot stall in step. The
// queries left over are split by round of 4 points: one warp per (query, round), two queries per block at a time,
// the four rounds' sums added in shared memory in round order, so the launch's last ~10 µs (one query's chain of
// loads) become ~3. Every lane reaches every barrier: the loops' bounds are the block's. With the register budget
// (kBudget) each round's message is built without a branch (packedMsg), so a round's location loads start during the
// round before. On an H100 the fp16 encoder then took 58.8-59.7 µs against 62.2-62.9 before (kernels.md, eighth
// session), and the grid beat block dispatch at every size measured (4,224-44,446 queries): the default for the
// unrolled shape (residentByDefault, msda_design.h).
template <typename T, int kLoads>
__global__ void __launch_bounds__(256, minBlocksFor<kLoads, true, kPackedLerpHalf>())
    msdaResidentKernel(MsdaShape s, PairMap, const T* __restrict__ value, const int32_t* __restrict__ shapes,
                       const int32_t* __restrict__ starts, const float* __restrict__ loc, const T* __restrict__ attn,
                       T* __restrict__ out) {
  constexpr int kEx = kPackedLerpHalf;
  constexpr int kRowB = 512;                     // d_model 256 of fp16
  constexpr int kLanes = kUnrolledLanes;         // 4 lanes per pair, 8 pairs (the heads of one query) per warp
  constexpr int kPoints = kUnrolledPoints;       // 16 points per pair, 4 rounds
  constexpr int VEC = detail::Vec16<T>::kN;
  constexpr unsigned kWarps = 256 / 32;          // per block
  const unsigned warp = threadIdx.x >> 5, lane = threadIdx.x & 31u;
  const unsigned warps = gridDim.x * kWarps;
  const unsigned heads = static_cast<unsigned>(s.heads);
  const unsigned queries = static_cast<unsigned>(s.batch * s.queries);
  const unsigned whole = queries / warps;  // rounds of whole queries every warp takes part in
  const int group = static_cast<int>(lane & (kLanes - 1));
  for (unsigned k = 0; k < whole; ++k) {
    const unsigned q = blockIdx.x * kWarps + warp + k * warps;
    const bool valid = q < queries;  // always: ptxas allocates this form without a spill
    const unsigned sp = valid ? q * heads + lane / kLanes : 0u;
    // The warp's pairs are the heads of query q (heads == 32 / kLanes), so the head needs no division by heads and
    // the image one only with a batch (the two divisions were 2% of the instructions).
    const unsigned img = s.batch > 1 ? q / static_cast<unsigned>(s.queries) : 0u;
    sharedPairWork<T, kLoads, kEx, false, kRowB, kLanes, kPoints, kLoads == kBudget>(
        s, valid, sp, group, static_cast<int>(lane / kLanes), img, value, shapes, starts, loc, attn, out);
  }
  // Rounds 1-3 of each of the block's two queries hand their sums to round 0's warp: 6 KB, so the 4 blocks of an SM
  // fit the 32 KB shared-memory configuration and L1 keeps the rest (launchWide asks for that carve-out).
  __shared__ float partial[2][3][32][VEC];
  const int round = static_cast<int>(warp & 3u);
  const unsigned half = warp / 4;
  for (unsigned first = whole * warps + blockIdx.x * 2; first < queries; first += gridDim.x * 2) {
    const unsigned q = first + half;
    const bool valid = q < queries;
    const unsigned sp = valid ? q * heads + lane / kLanes : 0u;
    float acc[VEC];
    residentRound<T, kLoads>(s, valid, q, sp, round, value, shapes, starts, loc, attn, acc);
    if (round != 0) {
#pragma unroll
      for (int i = 0; i < VEC; ++i) partial[half][round - 1][lane][i] = acc[i];
    }
    __syncthreads();
    if (round == 0 && valid) {
#pragma unroll
      for (int i = 0; i < VEC; ++i)
        acc[i] = ((acc[i] + partial[half][0][lane][i]) + partial[half][1][lane][i]) + partial[half][2][lane][i];
      detail::store16(out + static_cast<size_t>(sp) * s.channels + group * VEC, acc);
    }
    __syncthreads();  // partial is written again by the next pair of queries
  }
}

// Every kernel of the wide design takes the same arguments (the split kernel ignores the pair map), so a
// design resolves to one function pointer.
template <typename T>
using WideKernel = void (*)(MsdaShape, PairMap, const T*, const int32_t*, const int32_t*, const float*, const T*, T*);

template <typename T>
struct DesignKernel {
  WideKernel<T> kernel;
  long long threads;  // to launch, in blocks of `block`
  int block;
};

// The kernel instantiation and launch size of design d (chooseDesign) for shape s.
template <typename T>
DesignKernel<T> designKernel(const MsdaShape& s, const Design& d) {
  constexpr int VEC = detail::Vec16<T>::kN;
  const long long pairs = static_cast<long long>(s.batch) * s.queries * s.heads;
  const long long groups = s.channels / (VEC * d.nv);
  if (d.nv == 2) return {msdaWideKernel<T, 2, 1, kPredicated>, pairs * groups, 256};
  if (d.nv == 4) return {msdaWideKernel<T, 4, 1, kPredicated>, pairs * groups, 256};
  if (d.shared) {
    WideKernel<T> k = nullptr;
    // The runtime choices as template arguments.
    const auto pick = [&](auto loadsC, auto exC) {
      constexpr int L = decltype(loadsC)::value, E = decltype(exC)::value;
      const bool blocked = d.map.headsPerWarp != 0;
      if (d.prefetch == 2) k = blocked ? msdaSharedKernel<T, L, E, true, true> : msdaSharedKernel<T, L, E, true, false>;
      else k = blocked ? msdaSharedKernel<T, L, E, false, true> : msdaSharedKernel<T, L, E, false, false>;
    };
    // The byte forms: unconditional loads, the linear map, and a compiled-in row of 256 elements (d_model 256,
    // the Deformable DETR family's) when the shape has it.
    const auto pickBytes = [&](auto loadsC, auto exC) {
      constexpr int L = decltype(loadsC)::value, E = decltype(exC)::value;
      constexpr int R = 256 * sizeof(T);
      const bool fixed = static_cast<long long>(s.heads) * s.channels * sizeof(T) == R;
      k = fixed ? msdaSharedKernel<T, L, E, false, false, R> : msdaSharedKernel<T, L, E, false, false>;
      if constexpr (E == kPackedLerpHalf) {
        if (d.unrolled) k = msdaSharedKernel<T, L, E, false, false, R, kUnrolledLanes, kUnrolledPoints>;
        if (d.residentBlocks > 0) k = msdaResidentKernel<T, L>;
      }
    };
    const auto withExchange = [&](auto loadsC) {
      if constexpr (decltype(loadsC)::value != kPredicated) {
        if (d.exchange == kByteRows) return pickBytes(loadsC, std::integral_constant<int, kByteRows>{});
        if constexpr (std::is_same<T, __half>::value) {
          using Half = std::integral_constant<int, kByteRowsHalf>;
          using Lerp = std::integral_constant<int, kByteRowsLerpHalf>;
          using Packed = std::integral_constant<int, kPackedLerpHalf>;
          if (d.exchange == kByteRowsHalf) return pickBytes(loadsC, Half{});
          if (d.exchange == kByteRowsLerpHalf) return pickBytes(loadsC, Lerp{});
          if (d.exchange == kPackedLerpHalf) return pickBytes(loadsC, Packed{});
        }
      }
      if (d.exchange == kRowPairs) pick(loadsC, std::integral_constant<int, kRowPairs>{});
      else pick(loadsC, std::integral_constant<int, kFourCorners>{});
    };
    if (d.loads == kPredicated) withExchange(std::integral_constant<int, kPredicated>{});
    if (d.loads == kZeroVector) withExchange(std::integral_constant<int, kZeroVector>{});
    if (d.loads == kBudget) withExchange(std::integral_constant<int, kBudget>{});
    if (d.residentBlocks > 0) {
      // A launch smaller than the grid splits every query by round, two queries per block: blocks past those would
      // only start and exit (the decoder's 300 queries: 150 blocks, not 528; 3% faster with its inputs in L2).
      const long long need = (static_cast<long long>(s.batch) * s.queries + 1) / 2;
      return {k, (need < d.residentBlocks ? need : d.residentBlocks) * 256LL, 256};
    }
    return {k, pairThreads(d.map), 256};
  }
  const long long threads = pairs * groups * d.split;
  if (d.split == 8 && d.loads == kZeroVector) return {msdaWideKernel<T, 1, 8, kZeroVector>, threads, d.block};
  if (d.split == 8 && d.loads == kBudget) return {msdaWideKernel<T, 1, 8, kBudget>, threads, d.block};
  switch (d.split) {
    case 1: return {msdaWideKernel<T, 1, 1, kPredicated>, threads, d.block};
    case 2: return {msdaWideKernel<T, 1, 2, kPredicated>, threads, d.block};
    case 4: return {msdaWideKernel<T, 1, 4, kPredicated>, threads, d.block};
    default: return {msdaWideKernel<T, 1, 8, kPredicated>, threads, d.block};
  }
}

}  // namespace msda
}  // namespace trtkit
