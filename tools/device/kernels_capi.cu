// C entry points over the trtkit kernels, so a Python script (ctypes + PyTorch tensors) can check and time
// them on the GPU machine. Pointers arrive as integers (tensor.data_ptr()); each returns the cudaError_t.
#include <cuda_runtime.h>

#include <cstdint>

#include "layernorm.h"
#include "msda.h"
#include "postprocess.h"
#include "preprocess.h"

using trtkit::DType;

namespace {
__global__ void emptyKernel() {}
}  // namespace

extern "C" {

// An empty launch: what the timing method itself costs.
int tk_empty(uintptr_t stream) {
  emptyKernel<<<1, 32, 0, reinterpret_cast<cudaStream_t>(stream)>>>();
  return cudaGetLastError();
}

int tk_msda(int dtype, int scalar, int n, int s, int m, int d, int lq, int l, int p, uintptr_t value,
            uintptr_t shapes, uintptr_t starts, uintptr_t loc, uintptr_t attn, uintptr_t out, uintptr_t stream) {
  trtkit::MsdaShape sh{n, s, m, d, lq, l, p};
  auto f = scalar ? trtkit::msdaForwardScalar : trtkit::msdaForward;
  return f(static_cast<DType>(dtype), sh, reinterpret_cast<const void*>(value),
           reinterpret_cast<const int32_t*>(shapes), reinterpret_cast<const int32_t*>(starts),
           reinterpret_cast<const float*>(loc), reinterpret_cast<const void*>(attn), reinterpret_cast<void*>(out),
           reinterpret_cast<cudaStream_t>(stream));
}

// tuning: the fields of trtkit::MsdaTuning in order (pointSplit, vectorsPerThread, cornerSharing, blockThreads,
// loadForm, headsPerWarp, exchange, pointPrefetch, unroll, grid).
int tk_msda_tuned(int dtype, const int* tuning, int n, int s, int m, int d, int lq, int l, int p, uintptr_t value,
                  uintptr_t shapes, uintptr_t starts, uintptr_t loc, uintptr_t attn, uintptr_t out, uintptr_t stream) {
  trtkit::MsdaShape sh{n, s, m, d, lq, l, p};
  const trtkit::MsdaTuning t{tuning[0], tuning[1], tuning[2], tuning[3], tuning[4],
                            tuning[5], tuning[6], tuning[7], tuning[8], tuning[9]};
  return trtkit::msdaForwardTuned(static_cast<DType>(dtype), sh, reinterpret_cast<const void*>(value),
                                  reinterpret_cast<const int32_t*>(shapes), reinterpret_cast<const int32_t*>(starts),
                                  reinterpret_cast<const float*>(loc), reinterpret_cast<const void*>(attn),
                                  reinterpret_cast<void*>(out), t, reinterpret_cast<cudaStream_t>(stream));
}

// The design msdaForward (tuning all 0) or msdaForwardTuned resolves for a shape on this GPU, into out[10]: ok,
// shared, vectors per thread, split, load form, exchange, prefetch, block, unrolled, resident blocks.
int tk_msda_design(int dtype, const int* tuning, int n, int s, int m, int d, int lq, int l, int p, int* out) {
  const trtkit::MsdaShape sh{n, s, m, d, lq, l, p};
  const trtkit::MsdaTuning t{tuning[0], tuning[1], tuning[2], tuning[3], tuning[4],
                            tuning[5], tuning[6], tuning[7], tuning[8], tuning[9]};
  int dev = 0, sms = 0;
  if (cudaGetDevice(&dev) != cudaSuccess || cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess)
    return 1;
  const trtkit::msda::Design r = trtkit::msda::chooseDesign(sh, static_cast<DType>(dtype) == DType::kFloat16 ? 8 : 4, t, sms);
  const int v[10] = {r.ok, r.shared, r.nv, r.split, r.loads, r.exchange, r.prefetch, r.block, r.unrolled,
                     r.residentBlocks};
  for (int i = 0; i < 10; ++i) out[i] = v[i];
  return 0;
}

int tk_layernorm(int dtype, int64_t rows, int cols, uintptr_t x, uintptr_t gamma, uintptr_t beta, float eps,
                 uintptr_t y, uintptr_t stream) {
  return trtkit::layerNorm(static_cast<DType>(dtype), rows, cols, reinterpret_cast<const void*>(x),
                           reinterpret_cast<const void*>(gamma), reinterpret_cast<const void*>(beta), eps,
                           reinterpret_cast<void*>(y), reinterpret_cast<cudaStream_t>(stream));
}

int tk_preprocess(int dtype, int srcH, int srcW, int resizeH, int resizeW, int outH, int outW, int batchIndex,
                  const float* mean, const float* std, float padValue, uintptr_t src, uintptr_t out,
                  uintptr_t stream) {
  trtkit::PreprocessParams pp{};
  pp.srcH = srcH;
  pp.srcW = srcW;
  pp.srcRowStride = srcW * 3;
  pp.resizeH = resizeH;
  pp.resizeW = resizeW;
  pp.outH = outH;
  pp.outW = outW;
  pp.batchIndex = batchIndex;
  for (int c = 0; c < 3; ++c) {
    pp.mean[c] = mean[c];
    pp.std[c] = std[c];
  }
  pp.padValue = padValue;
  return trtkit::preprocessImage(static_cast<DType>(dtype), pp, reinterpret_cast<const uint8_t*>(src),
                                 reinterpret_cast<void*>(out), reinterpret_cast<cudaStream_t>(stream));
}

int tk_detr_softmax(int dtype, int n, int q, int cp1, uintptr_t logits, uintptr_t boxes, uintptr_t sizes,
                    uintptr_t scores, uintptr_t labels, uintptr_t boxesOut, uintptr_t stream) {
  return trtkit::detrDecodeSoftmax(static_cast<DType>(dtype), n, q, cp1, reinterpret_cast<const void*>(logits),
                                   reinterpret_cast<const void*>(boxes), reinterpret_cast<const int32_t*>(sizes),
                                   reinterpret_cast<float*>(scores), reinterpret_cast<int32_t*>(labels),
                                   reinterpret_cast<float*>(boxesOut), reinterpret_cast<cudaStream_t>(stream));
}

int tk_detr_topk(int dtype, int n, int q, int c, int k, uintptr_t logits, uintptr_t boxes, uintptr_t sizes,
                 uintptr_t scores, uintptr_t labels, uintptr_t boxesOut, uintptr_t stream) {
  return trtkit::detrDecodeSigmoidTopK(static_cast<DType>(dtype), n, q, c, k, reinterpret_cast<const void*>(logits),
                                       reinterpret_cast<const void*>(boxes), reinterpret_cast<const int32_t*>(sizes),
                                       reinterpret_cast<float*>(scores), reinterpret_cast<int32_t*>(labels),
                                       reinterpret_cast<float*>(boxesOut), reinterpret_cast<cudaStream_t>(stream));
}

int tk_upsample_argmax(int dtype, int n, int c, int inH, int inW, int outH, int outW, int outUint8,
                       uintptr_t logits, uintptr_t out, uintptr_t stream) {
  return trtkit::upsampleArgmax(static_cast<DType>(dtype), n, c, inH, inW, outH, outW,
                                reinterpret_cast<const void*>(logits), reinterpret_cast<void*>(out), outUint8 != 0,
                                reinterpret_cast<cudaStream_t>(stream));
}

int tk_upsample_argmax_path(int dtype, int n, int c, int inH, int inW, int outH, int outW, int outUint8, int path,
                            uintptr_t logits, uintptr_t out, uintptr_t stream) {
  return trtkit::upsampleArgmaxPath(static_cast<DType>(dtype), n, c, inH, inW, outH, outW,
                                    reinterpret_cast<const void*>(logits), reinterpret_cast<void*>(out),
                                    outUint8 != 0, path, reinterpret_cast<cudaStream_t>(stream));
}

}  // extern "C"
