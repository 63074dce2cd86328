// Multi-scale deformable attention forward. See msda.h for the tensor layouts.
#include "msda.h"

#include <cuda_fp16.h>

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include "msda_kernels.cuh"
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

// Asks for the shared-memory carve-out that blocksPerSm blocks of `kernel` need, once per kernel and device. Left to
// itself the driver gave the resident grid (6-8 KB of shared memory per block) a larger carve-out than that, and the
// L1 it took cost 6% with uniform sampling locations on an H100 (96.2 against 90.7 µs; kernels.md, seventh session).
cudaError_t fitCarveout(const void* kernel, int blocksPerSm) {
  static std::mutex lock;
  static std::vector<std::pair<const void*, int>> done;  // (kernel, device) pairs already set
  int dev = 0;
  cudaError_t e = cudaGetDevice(&dev);
  if (e != cudaSuccess) return e;
  {
    const std::lock_guard<std::mutex> hold(lock);
    if (std::find(done.begin(), done.end(), std::make_pair(kernel, dev)) != done.end()) return cudaSuccess;
  }
  cudaFuncAttributes fa{};
  int perSm = 0, reserved = 0;
  if ((e = cudaFuncGetAttributes(&fa, kernel)) != cudaSuccess) return e;
  if ((e = cudaDeviceGetAttribute(&perSm, cudaDevAttrMaxSharedMemoryPerMultiprocessor, dev)) != cudaSuccess) return e;
  if ((e = cudaDeviceGetAttribute(&reserved, cudaDevAttrReservedSharedMemoryPerBlock, dev)) != cudaSuccess) return e;
  if (perSm <= 0) return cudaSuccess;
  const long long need = static_cast<long long>(blocksPerSm) * (static_cast<long long>(fa.sharedSizeBytes) + reserved);
  const int percent = static_cast<int>(std::min<long long>(100, (need * 100 + perSm - 1) / perSm));
  if ((e = cudaFuncSetAttribute(kernel, cudaFuncAttributePreferredSharedMemoryCarveout, percent)) != cudaSuccess)
    return e;
  const std::lock_guard<std::mutex> hold(lock);
  done.emplace_back(kernel, dev);
  return cudaSuccess;
}

// Launches the design msda::chooseDesign picks for `t` (all 0: the default).
template <typename T>
cudaError_t launchWide(const MsdaShape& s, const void* value, const int32_t* shapes, const int32_t* starts,
                       const float* loc, const void* attn, void* out, cudaStream_t stream, const MsdaTuning& t) {
  if (static_cast<long long>(s.batch) * s.queries * s.heads == 0) return cudaSuccess;
  const Design d = chooseDesign(s, detail::Vec16<T>::kN, t, detail::smCount());
  if (!d.ok) return cudaErrorInvalidValue;
  const DesignKernel<T> k = designKernel<T>(s, d);
  if (d.residentBlocks > 0) {
    const cudaError_t e = fitCarveout(reinterpret_cast<const void*>(k.kernel), residentBlocksPerSm(d.loads));
    if (e != cudaSuccess) return e;
  }
  k.kernel<<<detail::ceilDiv(k.threads, k.block), k.block, 0, stream>>>(
      s, d.map, static_cast<const T*>(value), shapes, starts, loc, static_cast<const T*>(attn), static_cast<T*>(out));
  return cudaGetLastError();
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
                                     output, stream, MsdaTuning{})
                : launchScalar<__half>(s, value, spatialShapes, levelStartIndex, samplingLocations,
                                       attentionWeights, output, stream);
  }
  if (dtype == DType::kFloat32) {
    return wide ? launchWide<float>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights,
                                    output, stream, MsdaTuning{})
                : launchScalar<float>(s, value, spatialShapes, levelStartIndex, samplingLocations,
                                      attentionWeights, output, stream);
  }
  return cudaErrorInvalidValue;
}

cudaError_t msdaForwardTuned(DType dtype, const MsdaShape& s, const void* value, const int32_t* spatialShapes,
                             const int32_t* levelStartIndex, const float* samplingLocations,
                             const void* attentionWeights, void* output, const MsdaTuning& t, cudaStream_t stream) {
  if (!shapeOk(s)) return cudaErrorInvalidValue;
  const int vec = dtype == DType::kFloat16 ? 8 : 4;
  if (s.channels % vec != 0 || !detail::aligned16(value) || !detail::aligned16(output) ||
      static_cast<long long>(s.spatial) * s.heads * s.channels >= (1LL << 31))
    return cudaErrorInvalidValue;
  if (dtype == DType::kFloat16)
    return launchWide<__half>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights, output,
                              stream, t);
  if (dtype == DType::kFloat32)
    return launchWide<float>(s, value, spatialShapes, levelStartIndex, samplingLocations, attentionWeights, output,
                             stream, t);
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
