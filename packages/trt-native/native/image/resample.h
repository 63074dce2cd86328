// CPU image resampling for preprocessing: separable fixed-point filters (torchvision's / Pillow's antialiased
// bilinear, weights computed by the caller) applied to 8-bit RGB with the EXIF orientation folded into the passes.
// No Node here: the addon (image_addon.cc) validates arguments and calls these off the JS thread.
#pragma once
#include <cstddef>
#include <cstdint>

namespace trtkit::image {

// Filter taps of one axis: output i reads `count[i]` input pixels from `start[i]` with
// weights[i * ksize + j] / 2**precision. Indices are along the raw (stored) axis, already flipped if needed.
struct AxisTaps {
  const int32_t* start;
  const int32_t* count;
  const int32_t* weights;
  int ksize;
  int precision;
  int outSize;
};

// 8-bit RGB, row-major, rows `stride` bytes apart.
struct RgbView {
  const uint8_t* data;
  int width;
  int height;
  std::ptrdiff_t stride;
};

// Where resized rows go: either 8-bit RGB (HWC) or normalised float32 planes (CHW) through per-channel tables.
struct RowSink {
  uint8_t* rgb = nullptr;       // HWC, width * 3 bytes per row
  float* planes = nullptr;      // plane c at planes + c * planeSize, row y at + y * rowPitch
  std::ptrdiff_t planeSize = 0;
  std::ptrdiff_t rowPitch = 0;
  const float* tables = nullptr;  // 3 x 256 float32: the value of each level per channel
};

// Resizes `src` (as stored) to an oriented width x height. `xAlongRows` says the oriented x axis runs along the
// stored rows (EXIF orientations 5-8). Horizontal pass first, then vertical, each rounded to 8 bits: the order and
// arithmetic of torchvision's uint8 kernel and Pillow. `threads` > 1 splits each pass's rows over that many threads
// (the calling one included): for one large image when cores are idle, not for a batch already spread over threads.
void resizeOriented(const RgbView& src, bool xAlongRows, const AxisTaps& tx, const AxisTaps& ty, const RowSink& sink,
                    int threads = 1);

// Applies EXIF orientation 1-8 (pixels only): dst is the displayed image (width and height swapped for 5-8).
void orient(const RgbView& src, int orientation, uint8_t* dst);

// Transposes 8-bit RGB pixels: dst row c holds src column c. `dstStride` bytes per dst row.
void transposeRgb(const RgbView& src, uint8_t* dst, std::ptrdiff_t dstStride);

}  // namespace trtkit::image
