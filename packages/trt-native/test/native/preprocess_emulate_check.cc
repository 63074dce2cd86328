// Runs the preprocess kernel (native/cuda/preprocess_kernels.cuh) on the CPU through the emulator (cuda_emulator.h),
// run by kernels-cpu.test.ts. The batch is poisoned (NaN) first; the kernel's slot must be fully written and match a
// float64 reference (PyTorch's bilinear resize with align_corners=False and no antialiasing, then (v / 255 - mean) /
// std, the padding value outside the resized image), and every other slot must stay untouched. Prints
// "ok <runs> <values compared>" or the first failures, and exits non-zero on failure.
#include "cuda_emulator.h"
// The emulator must come first.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "check_util.h"
#include "preprocess_kernels.cuh"

using check::fail;
using check::tap;
using trtkit::PreprocessParams;

namespace {

constexpr float kMean[3] = {0.485f, 0.456f, 0.406f};
constexpr float kStd[3] = {0.229f, 0.224f, 0.225f};

struct Case {
  int srcH, srcW, rowPad, resizeH, resizeW, outH, outW, batch, slot;
};

template <typename T>
long long runCase(const Case& c, unsigned seed) {
  constexpr bool kHalf = sizeof(T) == 2;
  std::mt19937 rng(seed);
  const int stride = c.srcW * 3 + c.rowPad;
  std::vector<uint8_t> image(static_cast<size_t>(c.srcH) * stride);
  for (uint8_t& v : image) v = static_cast<uint8_t>(rng() & 255);
  PreprocessParams p{};
  p.srcH = c.srcH;
  p.srcW = c.srcW;
  p.srcRowStride = stride;
  p.resizeH = c.resizeH;
  p.resizeW = c.resizeW;
  p.outH = c.outH;
  p.outW = c.outW;
  p.batchIndex = c.slot;
  for (int k = 0; k < 3; ++k) {
    p.mean[k] = kMean[k];
    p.std[k] = kStd[k];
  }
  p.padValue = -1.5f;
  const size_t plane = static_cast<size_t>(c.outH) * c.outW;
  std::vector<T> batch(static_cast<size_t>(c.batch) * 3 * plane, static_cast<T>(NAN));
  char name[160];
  std::snprintf(name, sizeof name, "%s %dx%d (row pad %d) -> %dx%d in %dx%d, slot %d of %d", kHalf ? "fp16" : "fp32",
                c.srcH, c.srcW, c.rowPad, c.resizeH, c.resizeW, c.outH, c.outW, c.slot, c.batch);
  // The launch preprocessImage makes: a thread per output pixel, rows of 256, one grid row per output row.
  const float scaleH = static_cast<float>(c.srcH) / c.resizeH, scaleW = static_cast<float>(c.srcW) / c.resizeW;
  try {
    cuda_emulator::launch(dim3((c.outW + 255) / 256, c.outH, 1), dim3(256, 1, 1),
                          trtkit::preprocess::preprocessKernel<T>, p, scaleH, scaleW, image.data(), batch.data());
  } catch (const std::exception& e) {
    fail(std::string(name) + ": " + e.what());
    return 0;
  }
  double worst = 0;
  bool written = true, untouched = true;
  for (int b = 0; b < c.batch; ++b) {
    for (int ch = 0; ch < 3; ++ch) {
      for (int y = 0; y < c.outH; ++y) {
        for (int x = 0; x < c.outW; ++x) {
          const double got = static_cast<float>(batch[(static_cast<size_t>(b) * 3 + ch) * plane + y * c.outW + x]);
          if (b != c.slot) {
            untouched = untouched && std::isnan(got);
            continue;
          }
          double want = p.padValue;
          if (y < c.resizeH && x < c.resizeW) {
            const auto at = [&](int yy, int xx) { return static_cast<double>(image[yy * stride + xx * 3 + ch]); };
            const double v = check::bilinear(tap(y, c.srcH, c.resizeH), tap(x, c.srcW, c.resizeW), at);
            want = (v / 255 - kMean[ch]) / kStd[ch];
          }
          written = written && std::isfinite(got);
          worst = std::max(worst, std::abs(got - want));
        }
      }
    }
  }
  if (!written) fail(std::string(name) + ": outputs left unwritten");
  if (!untouched) fail(std::string(name) + ": another slot of the batch was written");
  // The GPU check's bounds against PyTorch's fp32 resize (docs/benchmarks/kernels.md).
  if (!(worst < (kHalf ? 4e-3 : 1e-4))) fail(std::string(name) + ": max abs error " + std::to_string(worst));
  return static_cast<long long>(3 * plane);
}

}  // namespace

int main() {
  // Down and up, padded canvases, a padded source row, a 1x1 source, rows wider than one block of 256, the same size.
  const Case cases[] = {
      {37, 53, 0, 20, 30, 24, 33, 3, 1},  {9, 7, 5, 25, 31, 25, 40, 1, 0},     {1, 1, 0, 5, 3, 6, 3, 3, 2},
      {16, 300, 3, 8, 290, 8, 300, 2, 0}, {50, 40, 0, 50, 40, 50, 40, 1, 0},
  };
  int runs = 0;
  long long values = 0;
  unsigned seed = 20261123;
  for (const Case& c : cases) {
    values += runCase<float>(c, seed++);
    values += runCase<__half>(c, seed++);
    runs += 2;
  }
  if (check::failures()) return 1;
  std::printf("ok %d %lld\n", runs, values);
  return 0;
}
