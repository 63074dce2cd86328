#pragma once
// Image preprocessing: uint8 HWC (RGB) -> normalised CHW in one pass, written into one slot of a batch.
// Resize is bilinear with PyTorch's F.interpolate(mode='bilinear', align_corners=False, antialias=False)
// semantics, applied to the image as float; then out = (v / 255 - mean[c]) / std[c]. The resized image
// sits at the top-left of an outH x outW canvas; the rest of the canvas is `padValue`.
#include <cuda_runtime.h>

#include <cstdint>

#include "dtype.h"

namespace trtkit {

struct PreprocessParams {
  int srcH, srcW;
  int srcRowStride;       // bytes between rows of the source (>= srcW * 3)
  int resizeH, resizeW;   // size of the resized image (<= outH, outW)
  int outH, outW;         // canvas size (the batch tensor is [B, 3, outH, outW])
  int batchIndex;         // slot b of the batch tensor to write
  float mean[3], std[3];  // per channel, on the 0..1 scale
  float padValue;
};

cudaError_t preprocessImage(DType outDtype, const PreprocessParams& p, const uint8_t* src, void* outBatch,
                            cudaStream_t stream);

}  // namespace trtkit
