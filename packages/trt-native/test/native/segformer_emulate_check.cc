// Runs the SegFormer upsample + argmax kernels (native/cuda/segformer_argmax_kernels.cuh: a thread per input cell, a
// block per output row segment, a thread per output pixel) on the CPU through the emulator (cuda_emulator.h), run by
// kernels-cpu.test.ts. The class map is poisoned first and must be fully written; each class must be the argmax of a
// float64 bilinear upsample (PyTorch's align_corners=False, first maximum wins), except where the reference's best
// and the chosen class are within 1e-4 (a near-tie that fp32 rounding may break either way). Each shape runs on the
// kernel the plan picks and on the others that take it. Prints "ok <runs> <kernels>" or the first failures, and
// exits non-zero on failure.
#include "cuda_emulator.h"
// The emulator must come first.
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "check_util.h"
#include "segformer_argmax_kernels.cuh"

namespace segformer = trtkit::segformer;
using check::fail;
using check::tap;

namespace {

struct Shape {
  int batch, classes, inH, inW, outH, outW;
};

template <typename T, typename O>
void runShape(const Shape& s, int path, const std::vector<T>& logits, const std::vector<double>& ref,
              std::set<std::string>& kernels, int& runs) {
  segformer::Plan p;
  if (!segformer::plan(path, s.batch, s.classes, s.inH, s.inW, s.outH, s.outW, p)) return;  // not for this shape
  const size_t pixels = static_cast<size_t>(s.batch) * s.outH * s.outW;
  std::vector<O> map(pixels, static_cast<O>(-1));
  char name[160];
  std::snprintf(name, sizeof name, "%s -> %s, %d x %d classes %dx%d -> %dx%d, path %d (asked %d)",
                sizeof(T) == 2 ? "fp16" : "fp32", sizeof(O) == 1 ? "uint8" : "int32", s.batch, s.classes, s.inH,
                s.inW, s.outH, s.outW, p.path, path);
  try {
    if (p.path == 1)
      cuda_emulator::launchShared(p.grid, p.block, p.smem, segformer::upsampleArgmaxTileKernel<T, O>, s.classes,
                                  s.inH, s.inW, s.outH, s.outW, p.scaleH, p.scaleW, p.subX, p.subY, logits.data(),
                                  map.data());
    else if (p.path == 2)
      cuda_emulator::launchShared(p.grid, p.block, p.smem, segformer::upsampleArgmaxRowKernel<T, O>, s.classes, s.inH,
                                  s.inW, s.outH, s.outW, p.scaleH, p.scaleW, logits.data(), map.data());
    else
      cuda_emulator::launch(p.grid, p.block, segformer::upsampleArgmaxKernel<T, O>, s.classes, s.inH, s.inW, s.outH,
                            s.outW, p.scaleH, p.scaleW, logits.data(), map.data());
  } catch (const std::exception& e) {
    fail(std::string(name) + ": " + e.what());
    return;
  }
  ++runs;
  kernels.insert(std::to_string(p.path) + (sizeof(T) == 2 ? "h" : "f") + (sizeof(O) == 1 ? "8" : "32"));
  int wrong = 0;
  for (size_t i = 0; i < pixels && wrong < 3; ++i) {
    const long long got = static_cast<long long>(map[i]);
    const double* v = &ref[i * s.classes];
    int best = 0;
    for (int c = 1; c < s.classes; ++c)
      if (v[c] > v[best]) best = c;
    if (got < 0 || got >= s.classes || (got != best && !(v[best] - v[got] < 1e-4))) {
      fail(std::string(name) + ": pixel " + std::to_string(i) + " class " + std::to_string(got) + ", reference " +
           std::to_string(best));
      ++wrong;
    }
  }
}

}  // namespace

int main() {
  // Upsampling by 4 (SegFormer's) and by uneven ratios, more classes than one staging chunk (32), ratios past one
  // tile thread per segment, a 1x1 input, downsampling (the row kernel) and a wide row.
  const Shape shapes[] = {
      {2, 19, 8, 8, 32, 32}, {1, 40, 7, 5, 29, 19}, {1, 19, 4, 5, 64, 80},
      {1, 3, 1, 1, 5, 4},    {2, 7, 16, 16, 9, 11}, {1, 5, 3, 300, 2, 37},
  };
  std::set<std::string> kernels;
  int runs = 0;
  unsigned seed = 20261123;
  for (const Shape& s : shapes) {
    std::mt19937 rng(seed++);
    std::normal_distribution<float> normal(0.f, 2.f);
    const size_t plane = static_cast<size_t>(s.inH) * s.inW;
    std::vector<float> f(static_cast<size_t>(s.batch) * s.classes * plane);
    std::vector<__half> h(f.size());
    for (size_t i = 0; i < f.size(); ++i) {
      h[i] = __float2half_rn(normal(rng));
      f[i] = __half2float(h[i]);  // the same values in both dtypes, so one reference serves both
    }
    std::vector<double> ref(static_cast<size_t>(s.batch) * s.outH * s.outW * s.classes);
    for (int n = 0; n < s.batch; ++n)
      for (int y = 0; y < s.outH; ++y)
        for (int x = 0; x < s.outW; ++x) {
          const check::Tap ty = tap(y, s.inH, s.outH), tx = tap(x, s.inW, s.outW);
          for (int c = 0; c < s.classes; ++c) {
            const float* p = &f[(static_cast<size_t>(n) * s.classes + c) * plane];
            ref[((static_cast<size_t>(n) * s.outH + y) * s.outW + x) * s.classes + c] =
                check::bilinear(ty, tx, [&](int yy, int xx) { return static_cast<double>(p[yy * s.inW + xx]); });
          }
        }
    for (int path : {0, 1, 2, 3}) {
      runShape<float, uint8_t>(s, path, f, ref, kernels, runs);
      runShape<float, int32_t>(s, path, f, ref, kernels, runs);
      runShape<__half, uint8_t>(s, path, h, ref, kernels, runs);
      runShape<__half, int32_t>(s, path, h, ref, kernels, runs);
    }
  }
  if (check::failures()) return 1;
  std::printf("ok %d %zu\n", runs, kernels.size());
  return 0;
}
