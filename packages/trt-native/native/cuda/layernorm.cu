// LayerNorm: checks and launches; the kernels are in layernorm_kernels.cuh.
#include "layernorm.h"

#include <cuda_fp16.h>

#include "layernorm_kernels.cuh"
#include "vec.cuh"

namespace trtkit {
namespace {

template <typename T>
cudaError_t launch(long long rows, int cols, const void* x, const void* g, const void* b, float eps, void* y,
                   cudaStream_t stream) {
  constexpr int VEC = detail::Vec16<T>::kN;
  const bool vectorOk = cols % VEC == 0 && detail::aligned16(x) && detail::aligned16(y) &&
                        (!g || detail::aligned16(g)) && (!b || detail::aligned16(b));
  const layernorm::Launch<T> l = layernorm::chooseKernel<T>(rows, cols, vectorOk);
  l.kernel<<<static_cast<unsigned>(l.blocks), 256, 0, stream>>>(rows, cols, static_cast<const T*>(x),
                                                                 static_cast<const T*>(g), static_cast<const T*>(b),
                                                                 eps, static_cast<T*>(y));
  return cudaGetLastError();
}

}  // namespace

cudaError_t layerNorm(DType dtype, int64_t rows, int cols, const void* x, const void* gamma, const void* beta,
                      float eps, void* y, cudaStream_t stream) {
  if (rows < 0 || cols <= 0) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  if (dtype == DType::kFloat16) return launch<__half>(rows, cols, x, gamma, beta, eps, y, stream);
  if (dtype == DType::kFloat32) return launch<float>(rows, cols, x, gamma, beta, eps, y, stream);
  return cudaErrorInvalidValue;
}

}  // namespace trtkit
