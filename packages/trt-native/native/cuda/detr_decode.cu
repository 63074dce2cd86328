// DETR-family decoding: checks and launches; the kernels are in detr_decode_kernels.cuh.
#include <cuda_fp16.h>

#include <climits>

#include "detr_decode_kernels.cuh"
#include "postprocess.h"
#include "vec.cuh"

namespace trtkit {

cudaError_t detrDecodeSoftmax(DType dtype, int batch, int queries, int cp1, const void* logits, const void* boxes,
                              const int32_t* sizes, float* scores, int32_t* labels, float* boxesOut,
                              cudaStream_t stream) {
  if (batch < 0 || queries < 0 || cp1 < 2) return cudaErrorInvalidValue;
  const long long threads = static_cast<long long>(batch) * queries * 32;
  if (threads == 0) return cudaSuccess;
  const int blocks = detail::ceilDiv(threads, 256);
  if (dtype == DType::kFloat16) {
    decode::softmaxDecodeKernel<__half><<<blocks, 256, 0, stream>>>(
        batch, queries, cp1, static_cast<const __half*>(logits), static_cast<const __half*>(boxes), sizes, scores,
        labels, boxesOut);
  } else if (dtype == DType::kFloat32) {
    decode::softmaxDecodeKernel<float><<<blocks, 256, 0, stream>>>(
        batch, queries, cp1, static_cast<const float*>(logits), static_cast<const float*>(boxes), sizes, scores,
        labels, boxesOut);
  } else {
    return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

cudaError_t detrDecodeSigmoidTopK(DType dtype, int batch, int queries, int classes, int k, const void* logits,
                                  const void* boxes, const int32_t* sizes, float* scores, int32_t* labels,
                                  float* boxesOut, cudaStream_t stream) {
  if (batch < 0 || queries <= 0 || classes <= 0 || k <= 0 || k > kTopKMax ||
      static_cast<long long>(queries) * classes < k || static_cast<long long>(queries) * classes > INT_MAX)
    return cudaErrorInvalidValue;
  if (batch == 0) return cudaSuccess;
  if (dtype == DType::kFloat16) {
    decode::sigmoidTopKKernel<__half><<<batch, decode::kTopKThreads, 0, stream>>>(
        queries, classes, k, static_cast<const __half*>(logits), static_cast<const __half*>(boxes), sizes, scores,
        labels, boxesOut);
  } else if (dtype == DType::kFloat32) {
    decode::sigmoidTopKKernel<float><<<batch, decode::kTopKThreads, 0, stream>>>(
        queries, classes, k, static_cast<const float*>(logits), static_cast<const float*>(boxes), sizes, scores,
        labels, boxesOut);
  } else {
    return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

}  // namespace trtkit
