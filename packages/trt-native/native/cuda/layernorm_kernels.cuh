#pragma once
// The LayerNorm kernels (layernorm.cu launches them; see layernorm.h) and the one each call runs. Device code that
// also compiles for the host emulator of the tests (test/native/cuda_emulator.h), so both paths are checked on a
// machine without a GPU. Rows up to 256 16-byte vectors wide live in registers: a group of TPR lanes (4..32) per
// row, NV vectors per lane, so x is read once and y written once. Wider or unaligned rows: one block per row.
#include <cuda_fp16.h>

#include <algorithm>

#include "vec.cuh"

namespace trtkit {
namespace layernorm {

using detail::fromFloat;
using detail::toFloat;

template <int TPR>
__device__ __forceinline__ float groupSum(float v) {
#pragma unroll
  for (int off = TPR / 2; off > 0; off /= 2) v += __shfl_xor_sync(0xffffffffu, v, off);
  return v;
}

template <typename T, int TPR, int NV>
__global__ void __launch_bounds__(256) layerNormRegsKernel(long long rows, int cols, const T* __restrict__ x,
                                                           const T* __restrict__ gamma,
                                                           const T* __restrict__ beta, float eps,
                                                           T* __restrict__ y) {
  constexpr int VEC = detail::Vec16<T>::kN;
  const int lane = threadIdx.x % TPR;
  const long long row = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / TPR;
  const bool valid = row < rows;
  const int nvec = cols / VEC;
  const T* xr = x + row * cols;
  float v[NV][VEC];
  float sum = 0.f;
#pragma unroll
  for (int i = 0; i < NV; ++i) {
    const int vi = lane + i * TPR;
    if (valid && vi < nvec) {
      detail::load16(xr + vi * VEC, v[i]);
#pragma unroll
      for (int j = 0; j < VEC; ++j) sum += v[i][j];
    }
  }
  const float mean = groupSum<TPR>(sum) / cols;
  float sq = 0.f;
#pragma unroll
  for (int i = 0; i < NV; ++i) {
    const int vi = lane + i * TPR;
    if (valid && vi < nvec) {
#pragma unroll
      for (int j = 0; j < VEC; ++j) {
        const float d = v[i][j] - mean;
        sq += d * d;
      }
    }
  }
  const float rstd = rsqrtf(groupSum<TPR>(sq) / cols + eps);
  if (!valid) return;
#pragma unroll
  for (int i = 0; i < NV; ++i) {
    const int vi = lane + i * TPR;
    if (vi < nvec) {
      float g[VEC], b[VEC];
      if (gamma) {
        detail::load16(gamma + vi * VEC, g);
      } else {
#pragma unroll
        for (int j = 0; j < VEC; ++j) g[j] = 1.f;
      }
      if (beta) {
        detail::load16(beta + vi * VEC, b);
      } else {
#pragma unroll
        for (int j = 0; j < VEC; ++j) b[j] = 0.f;
      }
      float o[VEC];
#pragma unroll
      for (int j = 0; j < VEC; ++j) o[j] = (v[i][j] - mean) * rstd * g[j] + b[j];
      detail::store16(y + row * cols + vi * VEC, o);
    }
  }
}

static __device__ float blockSum(float v, float* shared) {
  v = groupSum<32>(v);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __syncthreads();  // `shared` may still be read from a previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  float total = 0.f;
  for (int i = 0; i < static_cast<int>(blockDim.x / 32); ++i) total += shared[i];
  return total;
}

// Any width, any alignment: one block per row, x read three times (the re-reads hit L1/L2).
template <typename T>
__global__ void __launch_bounds__(256) layerNormBlockKernel(long long rows, int cols, const T* __restrict__ x,
                                                            const T* __restrict__ gamma,
                                                            const T* __restrict__ beta, float eps,
                                                            T* __restrict__ y) {
  __shared__ float shared[32];
  for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
    const T* xr = x + row * cols;
    float sum = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) sum += toFloat(xr[c]);
    const float mean = blockSum(sum, shared) / cols;
    float sq = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
      const float d = toFloat(xr[c]) - mean;
      sq += d * d;
    }
    const float rstd = rsqrtf(blockSum(sq, shared) / cols + eps);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
      const float g = gamma ? toFloat(gamma[c]) : 1.f;
      const float b = beta ? toFloat(beta[c]) : 0.f;
      y[row * cols + c] = fromFloat<T>((toFloat(xr[c]) - mean) * rstd * g + b);
    }
  }
}

// Both kernels take the same arguments, so a call resolves to one function pointer and a grid.
template <typename T>
using Kernel = void (*)(long long, int, const T*, const T*, const T*, float, T*);

template <typename T>
struct Launch {
  Kernel<T> kernel;
  long long blocks;  // of 256 threads
};

// The kernel for `rows` x `cols` (vectorOk: cols a whole number of 16-byte vectors, every pointer aligned).
template <typename T>
Launch<T> chooseKernel(long long rows, int cols, bool vectorOk) {
  constexpr int VEC = detail::Vec16<T>::kN;
  const int nvec = cols / VEC;
  const auto regs = [&](Kernel<T> k, int tpr) { return Launch<T>{k, (rows * tpr + 255) / 256}; };
  if (vectorOk && nvec <= 256) {
    if (nvec <= 4) return regs(layerNormRegsKernel<T, 4, 1>, 4);
    if (nvec <= 8) return regs(layerNormRegsKernel<T, 8, 1>, 8);
    if (nvec <= 16) return regs(layerNormRegsKernel<T, 16, 1>, 16);
    if (nvec <= 32) return regs(layerNormRegsKernel<T, 32, 1>, 32);
    if (nvec <= 64) return regs(layerNormRegsKernel<T, 32, 2>, 32);
    if (nvec <= 128) return regs(layerNormRegsKernel<T, 32, 4>, 32);
    return regs(layerNormRegsKernel<T, 32, 8>, 32);
  }
  return {layerNormBlockKernel<T>, std::min<long long>(rows, 65535LL * 16)};
}

}  // namespace layernorm
}  // namespace trtkit
