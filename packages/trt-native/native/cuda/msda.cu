// Multi-scale deformable attention forward. See msda.h for the tensor layouts.
#include "msda.h"

#include <cuda_fp16.h>

#include "msda_sampling.cuh"
#include "vec.cuh"

namespace trtkit {
namespace {

using detail::fromFloat;
using detail::toFloat;
using namespace msda;

struct Levels {
  int h[kMsdaMaxLevels];
  int w[kMsdaMaxLevels];
  int start[kMsdaMaxLevels];
};

__device__ __forceinline__ void loadLevels(Levels& lv, const int32_t* shapes, const int32_t* starts, int levels) {
  if (threadIdx.x < levels) {
    lv.h[threadIdx.x] = shapes[2 * threadIdx.x];
    lv.w[threadIdx.x] = shapes[2 * threadIdx.x + 1];
    lv.start[threadIdx.x] = starts[threadIdx.x];
  }
  __syncthreads();
}

// Threads of one (n, q, m) pair: `groups` channel groups of NV 16-byte vectors each, times SPLIT point
// subsets. Lane layout inside the pair: split * groups + group, so the split lanes of one channel group sit
// `groups` apart and an xor-shuffle over them sums the partial results. Wider groups (NV > 1) compute each
// point's corners once for more channels; splits give small launches more threads.
template <typename T, int NV, int SPLIT, int kLoads>
__global__ void __launch_bounds__(256, minBlocksFor<kLoads, false>())
    msdaWideKernel(MsdaShape s, const T* __restrict__ value, const int32_t* __restrict__ shapes,
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

// One thread per output element (n, q, m, d), scalar loads: the classic design.
template <typename T>
__global__ void __launch_bounds__(256) msdaScalarKernel(MsdaShape s, const T* __restrict__ value,
                                                        const int32_t* __restrict__ shapes,
                                                        const int32_t* __restrict__ starts,
                                                        const float* __restrict__ loc,
                                                        const T* __restrict__ attn, T* __restrict__ out) {
  __shared__ Levels lv;
  loadLevels(lv, shapes, starts, s.levels);
  const long long total = static_cast<long long>(s.batch) * s.queries * s.heads * s.channels;
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long idx = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; idx < total; idx += stride) {
    const int d = static_cast<int>(idx % s.channels);
    const long long pair = idx / s.channels;
    const int m = static_cast<int>(pair % s.heads);
    const long long n = pair / (static_cast<long long>(s.heads) * s.queries);
    const int lp = s.levels * s.points;
    const float* locp = loc + pair * lp * 2;
    const T* attp = attn + pair * lp;
    const long long row = static_cast<long long>(s.heads) * s.channels;
    const T* vbase = value + n * s.spatial * row + static_cast<long long>(m) * s.channels + d;
    float acc = 0.f;
    for (int p = 0; p < lp; ++p) {
      const int l = p / s.points;
      const int H = lv.h[l], W = lv.w[l];
      const float him = locp[2 * p + 1] * H - 0.5f;
      const float wim = locp[2 * p] * W - 0.5f;
      const float aw = toFloat(attp[p]);
      if (him > -1.f && wim > -1.f && him < H && wim < W) {
        const int hl = static_cast<int>(floorf(him));
        const int wl = static_cast<int>(floorf(wim));
        const float lh = him - hl, lw = wim - wl;
        const float hh = 1.f - lh, hw = 1.f - lw;
        const T* lvl = vbase + static_cast<long long>(lv.start[l]) * row;
        float v1 = 0.f, v2 = 0.f, v3 = 0.f, v4 = 0.f;
        if (hl >= 0 && wl >= 0) v1 = toFloat(lvl[(static_cast<long long>(hl) * W + wl) * row]);
        if (hl >= 0 && wl + 1 < W) v2 = toFloat(lvl[(static_cast<long long>(hl) * W + wl + 1) * row]);
        if (hl + 1 < H && wl >= 0) v3 = toFloat(lvl[(static_cast<long long>(hl + 1) * W + wl) * row]);
        if (hl + 1 < H && wl + 1 < W) v4 = toFloat(lvl[(static_cast<long long>(hl + 1) * W + wl + 1) * row]);
        acc += aw * (hh * hw * v1 + hh * lw * v2 + lh * hw * v3 + lh * lw * v4);
      }
    }
    out[idx] = fromFloat<T>(acc);
  }
}

bool shapeOk(const MsdaShape& s) {
  return s.batch >= 0 && s.spatial >= 0 && s.heads > 0 && s.channels > 0 && s.queries >= 0 && s.levels > 0 &&
         s.levels <= kMsdaMaxLevels && s.points > 0;
}

template <typename T>
cudaError_t launchScalar(const MsdaShape& s, const void* value, const int32_t* shapes, const int32_t* starts,
                         const float* loc, const void* attn, void* out, cudaStream_t stream) {
  const long long total = static_cast<long long>(s.batch) * s.queries * s.heads * s.channels;
  if (total == 0) return cudaSuccess;
  const long long maxBlocks = static_cast<long long>(detail::smCount()) * 64;
  const int blocks = static_cast<int>(std::min<long long>((total + 255) / 256, maxBlocks));
  msdaScalarKernel<T><<<blocks, 256, 0, stream>>>(s, static_cast<const T*>(value), shapes, starts, loc,
                                                   static_cast<const T*>(attn), static_cast<T*>(out));
  return cudaGetLastError();
}

// Large launches (the encoder): one 16-byte vector of channels per thread, and the `groups` lanes of a pair
// share the per-point work. Each lane computes the corners of every groups-th point, then the lanes
// exchange offsets and weights by shuffles, so each point's location, level and bilinear weights are
// computed once per pair instead of once per lane (that cut 90.5 -> 79.8 µs).
template <typename T, int kLoads>
__global__ void __launch_bounds__(256, minBlocksFor<kLoads, true>())
    msdaSharedKernel(MsdaShape s, const T* __restrict__ value, const int32_t* __restrict__ shapes,
                     const int32_t* __restrict__ starts, const float* __restrict__ loc, const T* __restrict__ attn,
                     T* __restrict__ out) {
  constexpr int VEC = detail::Vec16<T>::kN;
  const int groups = s.channels / VEC;  // a power of two, 2..32: a pair's lanes are whole and aligned
  const long long tid = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  const long long pairs = static_cast<long long>(s.batch) * s.queries * s.heads;
  const long long pair = tid / groups;
  const bool valid = pair < pairs;
  const int group = static_cast<int>(tid - pair * groups);
  const int laneBase = (threadIdx.x & 31) - group;
  const long long safePair = valid ? pair : 0;
  const int m = static_cast<int>(safePair % s.heads);
  const long long n = safePair / (static_cast<long long>(s.heads) * s.queries);
  const int lp = s.levels * s.points;
  const float invPoints = 1.f / s.points;
  const float2* locp = reinterpret_cast<const float2*>(loc) + safePair * lp;
  const T* attp = attn + safePair * lp;
  const int row = s.heads * s.channels;
  const T* vbase = value + n * s.spatial * row + static_cast<long long>(m) * s.channels + group * VEC;

  float acc[VEC];
#pragma unroll
  for (int i = 0; i < VEC; ++i) acc[i] = 0.f;
  // Uniform trip counts: every lane of the warp reaches every shuffle.
  for (int r0 = 0; r0 < lp; r0 += groups) {
    int off[4];
    float w[4];
    laneCorners(valid && r0 + group < lp, r0 + group, locp, attp, invPoints, shapes, starts, row, off, w);
    for (int j = 0; j < groups; j += 2) {  // two points per step
      int o[8];
      float ww[8];
      uint4 raw[8];
      exchangePair(off, w, laneBase + j, o, ww);
      loadCorners<kLoads>(vbase, o, raw);
#pragma unroll
      for (int k = 0; k < 8; ++k) accumulate(acc, raw[k], ww[k], T());
    }
  }
  if (valid) detail::store16(out + pair * s.channels + group * VEC, acc);
}

template <typename T, int NV, int SPLIT, int kLoads = kPredicated>
cudaError_t launchWideKernel(const MsdaShape& s, const void* value, const int32_t* shapes, const int32_t* starts,
                             const float* loc, const void* attn, void* out, cudaStream_t stream, int block = 256) {
  constexpr int CH = detail::Vec16<T>::kN * NV;
  const long long threads = static_cast<long long>(s.batch) * s.queries * s.heads * (s.channels / CH) * SPLIT;
  msdaWideKernel<T, NV, SPLIT, kLoads><<<detail::ceilDiv(threads, block), block, 0, stream>>>(
      s, static_cast<const T*>(value), shapes, starts, loc, static_cast<const T*>(attn), static_cast<T*>(out));
  return cudaGetLastError();
}

// Picks the design: large launches (encoder) take two vectors per thread when D allows, small ones
// (decoder) one vector per thread and points split over up to 8 threads, so the launch fills the GPU.
// `forcedSplit` / `forcedNv` / `forcedSharing` / `loads` (0: choose) are for tuning.
template <typename T>
cudaError_t launchWide(const MsdaShape& s, const void* value, const int32_t* shapes, const int32_t* starts,
                       const float* loc, const void* attn, void* out, cudaStream_t stream, int forcedSplit = 0,
                       int forcedNv = 0, int forcedSharing = 0, int block = 256, int loads = 0) {
  constexpr int VEC = detail::Vec16<T>::kN;
  const long long pairs = static_cast<long long>(s.batch) * s.queries * s.heads;
  if (pairs == 0) return cudaSuccess;
  const long long target = static_cast<long long>(detail::smCount()) * 1024;
  const int vectors = s.channels / VEC;
  int nv = 1;
  if (forcedNv > 0) {
    nv = forcedNv;
  }  // one vector per thread measured fastest on H100 at both encoder and decoder sizes
  if (vectors % nv != 0 || (nv != 1 && nv != 2 && nv != 4)) return cudaErrorInvalidValue;
  const int groups = vectors / nv;
  const bool pow2 = (groups & (groups - 1)) == 0;
  int split = 1;
  if (nv == 1) {
    while (pow2 && split < 8 && groups * split * 2 <= 32 && split * 2 <= s.levels * s.points &&
           pairs * groups * split < target)
      split *= 2;
  }
  if (forcedSplit > 0) {
    if (forcedSplit > 1 && (nv != 1 || !pow2 || groups * forcedSplit > 32)) return cudaErrorInvalidValue;
    split = forcedSplit;
  }
  // Corner sharing needs whole power-of-two lane groups of 2..32 per pair.
  const bool canShare = nv == 1 && split == 1 && pow2 && groups >= 2 && groups <= 32;
  int sharing = canShare ? 2 : 1;
  if (forcedSharing == 1) sharing = 1;
  if (forcedSharing == 2) {
    if (!canShare) return cudaErrorInvalidValue;
    sharing = 2;
  }
  if (forcedSharing > 2) return cudaErrorInvalidValue;
  // Load forms (msda_sampling.cuh) exist for the shared-corner kernel and the 8-way split kernel; the defaults
  // are the fastest measured on an H100 (docs/benchmarks/kernels.md, 2026-11-23 second session).
  const bool shared = split == 1 && sharing == 2 && nv == 1;
  if (loads == 0) loads = shared ? (sizeof(T) == 2 ? kZeroVector : kBudget) : split == 8 ? kZeroVector : kPredicated;
  if (loads < kPredicated || loads > kBudget || (loads != kPredicated && !shared && split != 8))
    return cudaErrorInvalidValue;
  if (nv == 2) return launchWideKernel<T, 2, 1>(s, value, shapes, starts, loc, attn, out, stream);
  if (nv == 4) return launchWideKernel<T, 4, 1>(s, value, shapes, starts, loc, attn, out, stream);
  if (shared) {
    const dim3 grid(detail::ceilDiv(pairs * groups, 256));
    const auto* v = static_cast<const T*>(value);
    const auto* a = static_cast<const T*>(attn);
    auto* o = static_cast<T*>(out);
    const auto launch = [&](auto kernel) { kernel<<<grid, 256, 0, stream>>>(s, v, shapes, starts, loc, a, o); };
    if (loads == kPredicated) launch(msdaSharedKernel<T, kPredicated>);
    if (loads == kZeroVector) launch(msdaSharedKernel<T, kZeroVector>);
    if (loads == kBudget) launch(msdaSharedKernel<T, kBudget>);
    return cudaGetLastError();
  }
  if (split == 8 && loads == kZeroVector)
    return launchWideKernel<T, 1, 8, kZeroVector>(s, value, shapes, starts, loc, attn, out, stream, block);
  if (split == 8 && loads == kBudget)
    return launchWideKernel<T, 1, 8, kBudget>(s, value, shapes, starts, loc, attn, out, stream, block);
  switch (split) {
    case 1: return launchWideKernel<T, 1, 1>(s, value, shapes, starts, loc, attn, out, stream, block);
    case 2: return launchWideKernel<T, 1, 2>(s, value, shapes, starts, loc, attn, out, stream, block);
    case 4: return launchWideKernel<T, 1, 4>(s, value, shapes, starts, loc, attn, out, stream, block);
    default: return launchWideKernel<T, 1, 8>(s, value, shapes, starts, loc, attn, out, stream, block);
  }
}

}  // namespace

cudaError_t msdaForward(DType dtype, const MsdaShape& s, const void* value, const int32_t* spatialShapes,
                        const int32_t* levelStartIndex, const float* samplingLocations,
                        const void* attentionWeights, void* output, cudaStream_t stream) {
  if (!shapeOk(s)) return cudaErrorInvalidValue;
  const int vec = dtype == DType::kFloat16 ? 8 : 4;
  // The wide kernel addresses one image's value with 32-bit offsets.
  const bool fits32 = static_cast<long long>(s.spatial) * s.heads * s.channels < (1LL << 31);
  const bool wide = fits32 && s.channels % vec == 0 && detail::aligned16(value) && detail::aligned16(output) &&
                    (reinterpret_cast<uintptr_t>(samplingLocations) & 7u) == 0;
  if (dtype == DType::kFloat16) {
    return wide ? launchWide<__half>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights,
                                     output, stream)
                : launchScalar<__half>(s, value, spatialShapes, levelStartIndex, samplingLocations,
                                       attentionWeights, output, stream);
  }
  if (dtype == DType::kFloat32) {
    return wide ? launchWide<float>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights,
                                    output, stream)
                : launchScalar<float>(s, value, spatialShapes, levelStartIndex, samplingLocations,
                                      attentionWeights, output, stream);
  }
  return cudaErrorInvalidValue;
}

cudaError_t msdaForwardTuned(DType dtype, const MsdaShape& s, const void* value, const int32_t* spatialShapes,
                             const int32_t* levelStartIndex, const float* samplingLocations,
                             const void* attentionWeights, void* output, int pointSplit, int vectorsPerThread,
                             int cornerSharing, int blockThreads, int loadForm, cudaStream_t stream) {
  if (!shapeOk(s) || (pointSplit != 0 && pointSplit != 1 && pointSplit != 2 && pointSplit != 4 && pointSplit != 8))
    return cudaErrorInvalidValue;
  if (blockThreads == 0) blockThreads = 256;
  if (blockThreads != 64 && blockThreads != 128 && blockThreads != 256) return cudaErrorInvalidValue;
  const int vec = dtype == DType::kFloat16 ? 8 : 4;
  if (s.channels % vec != 0 || !detail::aligned16(value) || !detail::aligned16(output) ||
      static_cast<long long>(s.spatial) * s.heads * s.channels >= (1LL << 31))
    return cudaErrorInvalidValue;
  if (dtype == DType::kFloat16)
    return launchWide<__half>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights, output,
                              stream, pointSplit, vectorsPerThread, cornerSharing, blockThreads, loadForm);
  if (dtype == DType::kFloat32)
    return launchWide<float>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights, output,
                             stream, pointSplit, vectorsPerThread, cornerSharing, blockThreads, loadForm);
  return cudaErrorInvalidValue;
}

cudaError_t msdaForwardScalar(DType dtype, const MsdaShape& s, const void* value, const int32_t* spatialShapes,
                              const int32_t* levelStartIndex, const float* samplingLocations,
                              const void* attentionWeights, void* output, cudaStream_t stream) {
  if (!shapeOk(s)) return cudaErrorInvalidValue;
  if (dtype == DType::kFloat16)
    return launchScalar<__half>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights,
                                output, stream);
  if (dtype == DType::kFloat32)
    return launchScalar<float>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights,
                               output, stream);
  return cudaErrorInvalidValue;
}

}  // namespace trtkit
