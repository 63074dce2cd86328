// SegFormer head: bilinear upsample fused with argmax over classes, so the full-resolution logits never
// exist. The kernels and the choice among them are in segformer_argmax_kernels.cuh; this file checks and launches.
#include <cuda_fp16.h>

#include "postprocess.h"
#include "segformer_argmax_kernels.cuh"

namespace trtkit {
namespace {

template <typename T, typename O>
cudaError_t launchTyped(int path, int batch, int classes, int inH, int inW, int outH, int outW, const T* logits,
                        O* out, cudaStream_t stream) {
  segformer::Plan p;
  if (!segformer::plan(path, batch, classes, inH, inW, outH, outW, p)) return cudaErrorInvalidValue;
  if (p.path == 1) {
    segformer::upsampleArgmaxTileKernel<T, O><<<p.grid, p.block, p.smem, stream>>>(
        classes, inH, inW, outH, outW, p.scaleH, p.scaleW, p.subX, p.subY, logits, out);
  } else if (p.path == 2) {
    segformer::upsampleArgmaxRowKernel<T, O><<<p.grid, p.block, p.smem, stream>>>(classes, inH, inW, outH, outW,
                                                                                   p.scaleH, p.scaleW, logits, out);
  } else {
    segformer::upsampleArgmaxKernel<T, O><<<p.grid, p.block, 0, stream>>>(classes, inH, inW, outH, outW, p.scaleH,
                                                                         p.scaleW, logits, out);
  }
  return cudaGetLastError();
}

template <typename T>
cudaError_t launch(int path, int batch, int classes, int inH, int inW, int outH, int outW, const void* logits,
                   void* out, bool outUint8, cudaStream_t stream) {
  const T* in = static_cast<const T*>(logits);
  if (outUint8)
    return launchTyped<T, uint8_t>(path, batch, classes, inH, inW, outH, outW, in, static_cast<uint8_t*>(out),
                                   stream);
  return launchTyped<T, int32_t>(path, batch, classes, inH, inW, outH, outW, in, static_cast<int32_t*>(out), stream);
}

}  // namespace

cudaError_t upsampleArgmaxPath(DType dtype, int batch, int classes, int inH, int inW, int outH, int outW,
                               const void* logits, void* classMap, bool outUint8, int path, cudaStream_t stream) {
  if (batch < 0 || classes <= 0 || inH <= 0 || inW <= 0 || outH <= 0 || outW <= 0 || outH > 65535 ||
      batch > 65535 || (outUint8 && classes > 256) || static_cast<long long>(classes) * inH * inW > INT32_MAX ||
      path < 0 || path > 3)
    return cudaErrorInvalidValue;
  if (batch == 0) return cudaSuccess;
  if (dtype == DType::kFloat16)
    return launch<__half>(path, batch, classes, inH, inW, outH, outW, logits, classMap, outUint8, stream);
  if (dtype == DType::kFloat32)
    return launch<float>(path, batch, classes, inH, inW, outH, outW, logits, classMap, outUint8, stream);
  return cudaErrorInvalidValue;
}

cudaError_t upsampleArgmax(DType dtype, int batch, int classes, int inH, int inW, int outH, int outW,
                           const void* logits, void* classMap, bool outUint8, cudaStream_t stream) {
  return upsampleArgmaxPath(dtype, batch, classes, inH, inW, outH, outW, logits, classMap, outUint8, 0, stream);
}

}  // namespace trtkit
