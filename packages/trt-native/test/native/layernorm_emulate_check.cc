// Runs both LayerNorm kernels (native/cuda/layernorm_kernels.cuh: rows in registers, one block per row) on the CPU
// through the emulator (cuda_emulator.h), run by kernels-cpu.test.ts. Each output is poisoned (NaN) first and must
// be fully written and match a float64 reference within the bound of its dtype; reads through __ldg must stay inside
// the inputs. Every width runs on the kernel the launcher picks and, forced as for unaligned pointers, on the block
// kernel. Prints "ok <runs> <kernels>" or the first failures, and exits non-zero on failure.
#include "cuda_emulator.h"
// The emulator must come first.
#include <cstdio>
#include <random>
#include <set>
#include <string>

#include "check_util.h"
#include "layernorm_kernels.cuh"

namespace layernorm = trtkit::layernorm;

using check::fail;

template <typename T>
static int runWidth(long long rows, int cols, bool affine, unsigned seed, std::set<const void*>& kernels) {
  constexpr bool kHalf = sizeof(T) == 2;
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(1.f, 3.f);
  const auto round = [&](float v) { return kHalf ? __half2float(__float2half_rn(v)) : v; };
  std::vector<T> x(static_cast<size_t>(rows) * cols), g(cols), b(cols);
  std::vector<double> xd(x.size()), gd(cols, 1.0), bd(cols, 0.0);
  for (size_t i = 0; i < x.size(); ++i) {
    xd[i] = round(normal(rng));
    x[i] = static_cast<T>(static_cast<float>(xd[i]));
  }
  for (int c = 0; c < cols && affine; ++c) {
    gd[c] = round(normal(rng) - 1.f);
    bd[c] = round(normal(rng) - 1.f);
    g[c] = static_cast<T>(static_cast<float>(gd[c]));
    b[c] = static_cast<T>(static_cast<float>(bd[c]));
  }
  std::vector<double> ref(x.size());
  for (long long r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int c = 0; c < cols; ++c) mean += xd[r * cols + c];
    mean /= cols;
    for (int c = 0; c < cols; ++c) var += (xd[r * cols + c] - mean) * (xd[r * cols + c] - mean);
    const double rstd = 1.0 / std::sqrt(var / cols + 1e-5);
    for (int c = 0; c < cols; ++c) ref[r * cols + c] = (xd[r * cols + c] - mean) * rstd * gd[c] + bd[c];
  }
  constexpr int kVec = 16 / sizeof(T);
  int runs = 0;
  for (bool vectorOk : {cols % kVec == 0, false}) {
    const layernorm::Launch<T> l = layernorm::chooseKernel<T>(rows, cols, vectorOk);
    kernels.insert(reinterpret_cast<const void*>(l.kernel));
    std::vector<T> y(x.size(), static_cast<T>(NAN));
    cuda_emulator::clearReads();
    cuda_emulator::allowReads(x.data(), x.size() * sizeof(T));
    cuda_emulator::allowReads(g.data(), g.size() * sizeof(T));
    cuda_emulator::allowReads(b.data(), b.size() * sizeof(T));
    char name[120];
    std::snprintf(name, sizeof name, "%s rows %lld cols %d affine %d %s", kHalf ? "fp16" : "fp32", rows, cols, affine,
                  vectorOk ? "as launched" : "block kernel");
    try {
      cuda_emulator::launch(static_cast<unsigned>(l.blocks), 256, l.kernel, rows, cols, x.data(),
                            affine ? g.data() : nullptr, affine ? b.data() : nullptr, 1e-5f, y.data());
    } catch (const std::exception& e) {
      fail(std::string(name) + ": " + e.what());
      continue;
    }
    ++runs;
    const check::Comparison c = check::compare(y, ref);
    // One column normalises to beta exactly; compare absolutely there.
    const double e = cols == 1 ? c.rms : c.relative;
    if (!c.written) fail(std::string(name) + ": outputs left unwritten");
    if (!(e < (kHalf ? 2e-3 : 1e-5))) fail(std::string(name) + ": error " + std::to_string(e));
  }
  return runs;
}

int main() {
  int runs = 0;
  unsigned seed = 20261123;
  std::set<const void*> kernels;
  // Widths across every lanes-per-row / vectors-per-lane choice of the register kernel (4..32 lanes, 1..8 vectors),
  // past it (more than 256 vectors), and not a whole number of vectors; rows leaving partial blocks.
  for (int cols : {1, 7, 16, 32, 64, 96, 100, 128, 256, 320, 512, 1000, 1024, 2048, 2056, 4000})
    for (bool affine : {true, false}) {
      const long long rows = affine ? 37 : 3;
      runs += runWidth<float>(rows, cols, affine, seed++, kernels);
      runs += runWidth<__half>(rows, cols, affine, seed++, kernels);
    }
  if (check::failures()) return 1;
  std::printf("ok %d %zu\n", runs, kernels.size());
  return 0;
}
