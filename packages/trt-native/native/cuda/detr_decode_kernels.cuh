#pragma once
// The DETR-family decoding kernels (detr_decode.cu launches them; postprocess.h has the layouts): softmax (one warp
// per query) and sigmoid + top-k (one block per image). Device code that also compiles for the host emulator of the
// tests (test/native/cuda_emulator.h).
#include <cuda_fp16.h>

#include <cfloat>
#include <climits>
#include <cstdint>

#include "postprocess.h"
#include "vec.cuh"

namespace trtkit {
namespace decode {

using detail::toFloat;

template <typename T>
__device__ __forceinline__ void writeBox(const T* box, const int32_t* size, float* out) {
  const float cx = toFloat(box[0]), cy = toFloat(box[1]), w = toFloat(box[2]), h = toFloat(box[3]);
  const float H = static_cast<float>(size[0]), W = static_cast<float>(size[1]);
  out[0] = (cx - 0.5f * w) * W;
  out[1] = (cy - 0.5f * h) * H;
  out[2] = (cx + 0.5f * w) * W;
  out[3] = (cy + 0.5f * h) * H;
}

template <typename T>
__global__ void __launch_bounds__(256) softmaxDecodeKernel(int batch, int queries, int cp1, const T* __restrict__ logits,
                                                           const T* __restrict__ boxes,
                                                           const int32_t* __restrict__ sizes, float* scores,
                                                           int32_t* labels, float* boxesOut) {
  const long long q = (static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  if (q >= static_cast<long long>(batch) * queries) return;  // whole warps leave together
  const T* l = logits + q * cp1;
  float mx = -FLT_MAX;
  for (int c = lane; c < cp1; c += 32) mx = fmaxf(mx, toFloat(l[c]));
  for (int off = 16; off > 0; off /= 2) mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
  float sum = 0.f, best = -FLT_MAX;
  int bestIdx = INT_MAX;
  for (int c = lane; c < cp1; c += 32) {
    const float v = toFloat(l[c]);
    sum += __expf(v - mx);
    if (c < cp1 - 1 && v > best) {  // strictly greater: the first maximum of this lane's classes
      best = v;
      bestIdx = c;
    }
  }
  for (int off = 16; off > 0; off /= 2) {
    sum += __shfl_xor_sync(0xffffffffu, sum, off);
    const float ob = __shfl_xor_sync(0xffffffffu, best, off);
    const int oi = __shfl_xor_sync(0xffffffffu, bestIdx, off);
    if (ob > best || (ob == best && oi < bestIdx)) {
      best = ob;
      bestIdx = oi;
    }
  }
  if (lane == 0) {
    const long long n = q / queries;
    scores[q] = __expf(best - mx) / sum;
    labels[q] = bestIdx;
    writeBox(boxes + q * 4, sizes + 2 * n, boxesOut + q * 4);
  }
}

// Order-preserving map of a float to uint32 (larger float -> larger key).
__device__ __forceinline__ uint32_t orderKey(float f) {
  const uint32_t u = __float_as_uint(f);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

constexpr int kTopKThreads = 1024;

// Exclusive prefix sum of a 0/1 flag over the block; returns this thread's offset, sets *total.
__device__ int blockExclusiveScan(int flag, int* warpSums, int* total) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const unsigned ballot = __ballot_sync(0xffffffffu, flag);
  const int inWarp = __popc(ballot & ((1u << lane) - 1u));
  if (lane == 0) warpSums[warp] = __popc(ballot);
  __syncthreads();
  if (warp == 0) {
    const int v = lane < static_cast<int>(blockDim.x / 32) ? warpSums[lane] : 0;
    int incl = v;
    for (int off = 1; off < 32; off *= 2) {
      const int o = __shfl_up_sync(0xffffffffu, incl, off);
      if (lane >= off) incl += o;
    }
    warpSums[lane] = incl - v;  // exclusive
    if (lane == 31) warpSums[32] = incl;
  }
  __syncthreads();
  const int result = warpSums[warp] + inWarp;
  *total = warpSums[32];
  __syncthreads();
  return result;
}

// Radix select of the k-th largest key (4 passes of 8 bits), then the selection: every key above it,
// and the ties in index order; then a bitonic sort of the k selected (key desc, index asc).
template <typename T>
__global__ void __launch_bounds__(kTopKThreads) sigmoidTopKKernel(int queries, int classes, int k,
                                                                  const T* __restrict__ logits,
                                                                  const T* __restrict__ boxes,
                                                                  const int32_t* __restrict__ sizes, float* scores,
                                                                  int32_t* labels, float* boxesOut) {
  __shared__ unsigned hist[256];
  __shared__ uint32_t selKey[kTopKMax];
  __shared__ int selIdx[kTopKMax];
  __shared__ int warpSums[33];
  __shared__ uint32_t sPrefix;
  __shared__ int sRemaining;
  __shared__ int sCount;

  const int n = blockIdx.x;
  const int total = queries * classes;
  const T* l = logits + static_cast<long long>(n) * total;

  uint32_t prefix = 0, mask = 0;
  int remaining = k;  // how many of the keys matching `prefix` still belong to the top k
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int i = threadIdx.x; i < 256; i += blockDim.x) hist[i] = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < total; i += blockDim.x) {
      const uint32_t key = orderKey(toFloat(l[i]));
      if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 255u], 1u);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      int acc = 0, digit = 255;
      for (; digit > 0; --digit) {
        if (acc + static_cast<int>(hist[digit]) >= remaining) break;
        acc += hist[digit];
      }
      sPrefix = prefix | (static_cast<uint32_t>(digit) << shift);
      sRemaining = remaining - acc;
    }
    __syncthreads();
    prefix = sPrefix;
    remaining = sRemaining;
    mask |= 255u << shift;
    __syncthreads();
  }
  // `prefix` is now the k-th largest key; `remaining` ties with it are taken (lowest indices first).
  const uint32_t kth = prefix;
  if (threadIdx.x == 0) sCount = 0;
  __syncthreads();
  for (int i = threadIdx.x; i < total; i += blockDim.x) {
    const uint32_t key = orderKey(toFloat(l[i]));
    if (key > kth) {
      const int slot = atomicAdd(&sCount, 1);
      selKey[slot] = key;
      selIdx[slot] = i;
    }
  }
  __syncthreads();
  const int above = sCount;
  int tiesTaken = 0;
  for (int base = 0; base < total && tiesTaken < remaining; base += blockDim.x) {
    const int i = base + threadIdx.x;
    const int tie = (i < total && orderKey(toFloat(l[i])) == kth) ? 1 : 0;
    int chunkTies = 0;
    const int off = blockExclusiveScan(tie, warpSums, &chunkTies);
    if (tie && tiesTaken + off < remaining) {
      selKey[above + tiesTaken + off] = kth;
      selIdx[above + tiesTaken + off] = i;
    }
    tiesTaken += chunkTies;
  }
  // Bitonic sort over the next power of two >= k, padding with the smallest key.
  int size = 1;
  while (size < k) size *= 2;
  for (int i = k + threadIdx.x; i < size; i += blockDim.x) {
    selKey[i] = 0;
    selIdx[i] = INT_MAX;
  }
  __syncthreads();
  for (int len = 2; len <= size; len *= 2) {
    for (int stride = len / 2; stride > 0; stride /= 2) {
      for (int i = threadIdx.x; i < size; i += blockDim.x) {
        const int j = i ^ stride;
        if (j > i) {
          // "before" = larger key, or equal key and smaller index.
          const bool iFirst = selKey[i] > selKey[j] || (selKey[i] == selKey[j] && selIdx[i] < selIdx[j]);
          const bool descending = (i & len) == 0;
          if (descending != iFirst) {
            const uint32_t tk = selKey[i];
            selKey[i] = selKey[j];
            selKey[j] = tk;
            const int ti = selIdx[i];
            selIdx[i] = selIdx[j];
            selIdx[j] = ti;
          }
        }
      }
      __syncthreads();
    }
  }
  for (int r = threadIdx.x; r < k; r += blockDim.x) {
    const int idx = selIdx[r];
    const int q = idx / classes;
    const long long o = static_cast<long long>(n) * k + r;
    scores[o] = 1.f / (1.f + __expf(-toFloat(l[idx])));
    labels[o] = idx - q * classes;
    writeBox(boxes + (static_cast<long long>(n) * queries + q) * 4, sizes + 2 * n, boxesOut + o * 4);
  }
}

}  // namespace decode
}  // namespace trtkit
