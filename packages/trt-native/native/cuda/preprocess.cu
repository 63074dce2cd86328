// Preprocess: checks and the launch; the kernel (one thread per output pixel, all three channels) is in
// preprocess_kernels.cuh.
#include "preprocess.h"

#include <cuda_fp16.h>

#include "preprocess_kernels.cuh"
#include "vec.cuh"

namespace trtkit {

using preprocess::preprocessKernel;

cudaError_t preprocessImage(DType outDtype, const PreprocessParams& p, const uint8_t* src, void* outBatch,
                            cudaStream_t stream) {
  if (p.srcH <= 0 || p.srcW <= 0 || p.srcRowStride < p.srcW * 3 || p.resizeH <= 0 || p.resizeW <= 0 ||
      p.resizeH > p.outH || p.resizeW > p.outW || p.outH > 65535 || p.batchIndex < 0)
    return cudaErrorInvalidValue;
  const float scaleH = static_cast<float>(p.srcH) / p.resizeH;
  const float scaleW = static_cast<float>(p.srcW) / p.resizeW;
  const dim3 grid(detail::ceilDiv(p.outW, 256), p.outH);
  if (outDtype == DType::kFloat16) {
    preprocessKernel<__half><<<grid, 256, 0, stream>>>(p, scaleH, scaleW, src, static_cast<__half*>(outBatch));
  } else if (outDtype == DType::kFloat32) {
    preprocessKernel<float><<<grid, 256, 0, stream>>>(p, scaleH, scaleW, src, static_cast<float*>(outBatch));
  } else {
    return cudaErrorInvalidValue;
  }
  return cudaGetLastError();
}

}  // namespace trtkit
