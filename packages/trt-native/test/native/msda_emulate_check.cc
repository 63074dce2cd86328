// Runs every design of the wide MSDA kernels (native/cuda/msda_kernels.cuh) on the CPU through the emulator
// (cuda_emulator.h), run by msda-emulate.test.ts. Each output is poisoned (NaN) first and must be fully written,
// must match a float64 reference computed here within the bound of its dtype, and must equal, bit for bit, the
// output of its design family's first design (load forms, pair maps, exchange forms 1-3 and prefetch change no
// arithmetic; half2 weights and the fp16 row blend are families of their own); reads through __ldg must stay
// inside the inputs.
// Prints "ok <runs> <families>" or the first failure, and exits non-zero on failure.
#include "cuda_emulator.h"
// The emulator must come first.
#include <cstdio>
#include <map>
#include <random>
#include <tuple>

#include "check_util.h"
#include "msda_kernels.cuh"

using check::fail;
using trtkit::MsdaShape;
using trtkit::MsdaTuning;
namespace msda = trtkit::msda;

struct Case {
  const char* name;
  int batch;
  std::vector<std::pair<int, int>> levels;
  int heads, channels, queries, points;
  int sms = 132;  // the multiprocessors the design is chosen for (the resident grid's size)
  bool wild = false;  // every 7th point far outside or not a number, with a non-finite attention weight
};

struct Inputs {
  std::vector<int32_t> shapes, starts;
  std::vector<float> loc;
  std::vector<double> value, attn;  // as the kernel sees them (rounded to its dtype)
  int spatial = 0;
};

static Inputs makeInputs(const Case& c, bool half, unsigned seed) {
  Inputs in;
  for (auto [h, w] : c.levels) {
    in.shapes.push_back(h);
    in.shapes.push_back(w);
    in.starts.push_back(in.spatial);
    in.spatial += h * w;
  }
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> sym(-1.f, 1.f), pos(0.f, 1.f), near(-0.1f, 1.1f);
  const auto round = [&](float v) { return half ? static_cast<double>(__half2float(__float2half_rn(v))) : v; };
  const size_t L = c.levels.size();
  in.value.resize(static_cast<size_t>(c.batch) * in.spatial * c.heads * c.channels);
  for (double& v : in.value) v = round(sym(rng));
  const size_t samples = static_cast<size_t>(c.batch) * c.queries * c.heads * L * c.points;
  in.loc.resize(samples * 2);
  for (float& v : in.loc) v = near(rng);  // some points outside the levels: zero padding
  in.attn.resize(samples);
  for (double& v : in.attn) v = round(pos(rng));
  if (c.wild) {
    // One coordinate far outside its level, infinite or NaN puts the point outside; its weight must then stay unread
    // (a kernel multiplying it by zero corners would write NaN).
    const float far[] = {NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 40.f, -40.f, 3e9f};
    for (size_t k = 0; k < samples; k += 7) {
      in.loc[2 * k + (k / 7) % 2] = far[(k / 7) % 8];
      in.attn[k] = (k / 7) % 2 ? NAN : INFINITY;
    }
  }
  return in;
}

// grid_sample(bilinear, zeros, align_corners=False) per level, weighted by attention, in float64.
static std::vector<double> reference(const Case& c, const Inputs& in) {
  const int L = static_cast<int>(c.levels.size()), D = c.channels, M = c.heads;
  std::vector<double> out(static_cast<size_t>(c.batch) * c.queries * M * D, 0.0);
  for (int n = 0; n < c.batch; ++n)
    for (int q = 0; q < c.queries; ++q)
      for (int m = 0; m < M; ++m)
        for (int l = 0; l < L; ++l)
          for (int p = 0; p < c.points; ++p) {
            const size_t k = (((static_cast<size_t>(n) * c.queries + q) * M + m) * L + l) * c.points + p;
            const int H = in.shapes[2 * l], W = in.shapes[2 * l + 1];
            const double x = static_cast<double>(in.loc[2 * k]) * W - 0.5, y = static_cast<double>(in.loc[2 * k + 1]) * H - 0.5;
            if (!(x > -1 && y > -1 && x < W && y < H)) continue;  // no corner inside (and NaN or far: no integer)
            const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
            for (int dy = 0; dy < 2; ++dy)
              for (int dx = 0; dx < 2; ++dx) {
                const int xi = x0 + dx, yi = y0 + dy;
                if (xi < 0 || yi < 0 || xi >= W || yi >= H) continue;
                const double wgt = (dx ? x - x0 : 1 - (x - x0)) * (dy ? y - y0 : 1 - (y - y0)) * in.attn[k];
                const size_t token = static_cast<size_t>(n) * in.spatial + in.starts[l] + yi * W + xi;
                for (int d = 0; d < D; ++d)
                  out[((static_cast<size_t>(n) * c.queries + q) * M + m) * D + d] +=
                      wgt * in.value[(token * M + m) * D + d];
              }
          }
  return out;
}

static int unrolledRuns = 0;  // runs of the unrolled kernel (Design::unrolled)
static int residentRuns = 0;  // of those, on the resident grid (Design::residentBlocks)

template <typename T>
static int runCase(const Case& c, unsigned seed, const std::vector<MsdaTuning>& tunings, int& families) {
  constexpr bool kHalf = sizeof(T) == 2;
  const Inputs in = makeInputs(c, kHalf, seed);
  const std::vector<double> ref = reference(c, in);
  std::vector<T> value(in.value.size()), attn(in.attn.size());
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<T>(static_cast<float>(in.value[i]));
  for (size_t i = 0; i < attn.size(); ++i) attn[i] = static_cast<T>(static_cast<float>(in.attn[i]));
  const MsdaShape s{c.batch, in.spatial, c.heads, c.channels, c.queries, static_cast<int>(c.levels.size()), c.points};
  const double bound = kHalf ? 2e-3 : 1e-5;
  std::map<std::tuple<int, int, bool, int, int>, std::vector<T>> firstOfFamily;
  int runs = 0;
  for (const MsdaTuning& t : tunings) {
    const msda::Design d = msda::chooseDesign(s, 16 / static_cast<int>(sizeof(T)), t, c.sms);
    if (!d.ok) continue;
    const msda::DesignKernel<T> k = msda::designKernel<T>(s, d);
    std::vector<T> out(ref.size(), static_cast<T>(NAN));
    const unsigned blocks = static_cast<unsigned>((k.threads + k.block - 1) / k.block);
    char name[200];
    std::snprintf(name, sizeof name,
                  "%s %s split %d nv %d shared %d loads %d heads/warp %d exchange %d prefetch %d unrolled %d "
                  "resident %d",
                  c.name, kHalf ? "fp16" : "fp32", d.split, d.nv, d.shared, d.loads, d.map.headsPerWarp, d.exchange,
                  d.prefetch, d.unrolled, d.residentBlocks);
    cuda_emulator::clearReads();
    cuda_emulator::allowReads(value.data(), value.size() * sizeof(T));
    cuda_emulator::allowReads(in.shapes.data(), in.shapes.size() * sizeof(int32_t));
    cuda_emulator::allowReads(in.starts.data(), in.starts.size() * sizeof(int32_t));
    cuda_emulator::allowReads(in.loc.data(), in.loc.size() * sizeof(float));
    cuda_emulator::allowReads(attn.data(), attn.size() * sizeof(T));
    cuda_emulator::allowReads(&msda::gZeroVector, sizeof msda::gZeroVector);
    try {
      cuda_emulator::launch(blocks, static_cast<unsigned>(k.block), k.kernel, s, d.map, value.data(), in.shapes.data(),
                            in.starts.data(), in.loc.data(), attn.data(), out.data());
    } catch (const std::exception& e) {
      fail(std::string(name) + ": " + e.what());
      continue;
    }
    ++runs;
    unrolledRuns += d.unrolled;
    residentRuns += d.residentBlocks > 0;
    const check::Comparison c = check::compare(out, ref);
    if (!c.written) fail(std::string(name) + ": outputs left unwritten");
    if (!(c.relative < bound)) fail(std::string(name) + ": relative error " + std::to_string(c.relative));
    // Half2 weights and the fp16 row blend round differently from the other forms: families of their own.
    // (the packed word changes only how the rows travel: the row blend's family; the resident grid adds the rounds
    // of its left-over queries in another order, and which queries are left over depends on its size: a family per
    // size)
    const int rounding = d.exchange == msda::kByteRowsHalf                                         ? 4
                         : d.exchange == msda::kByteRowsLerpHalf || d.exchange == msda::kPackedLerpHalf ? 6
                                                                                                    : 0;
    const auto key = std::make_tuple(d.nv, d.split, d.shared, rounding, d.residentBlocks);
    auto it = firstOfFamily.find(key);
    if (it == firstOfFamily.end()) {
      firstOfFamily.emplace(key, out);
      ++families;
    } else if (std::memcmp(it->second.data(), out.data(), out.size() * sizeof(T)) != 0) {
      fail(std::string(name) + ": bits differ from the family's first design");
    }
  }
  return runs;
}

int main() {
  std::vector<MsdaTuning> tunings{MsdaTuning{}};
  for (int loads : {1, 2, 3})
    for (int h : {0, 1, 2, 4, 8})
      for (int ex : {1, 2})
        for (int pf : {1, 2}) tunings.push_back(MsdaTuning{1, 1, 2, 0, loads, h, ex, pf});
  for (int split : {1, 2, 4, 8})
    for (int block : {64, 256}) tunings.push_back(MsdaTuning{split, 1, 1, block, 0, 0, 0, 0});
  for (int loads : {2, 3}) tunings.push_back(MsdaTuning{8, 1, 0, 0, loads, 0, 0, 0});
  // Byte forms (fp32 takes byte rows only).
  for (int loads : {2, 3})
    for (int ex : {3, 4, 6, 7}) tunings.push_back(MsdaTuning{1, 1, 2, 0, loads, 0, ex, 1});
  for (int nv : {2, 4}) tunings.push_back(MsdaTuning{0, nv, 0, 0, 0, 0, 0, 0});
  // The packed word's rounds as a loop and unrolled (the kernel compiled for 4 lanes and 16 points per pair).
  for (int loads : {2, 3})
    for (int unroll : {1, 2}) tunings.push_back(MsdaTuning{1, 1, 2, 0, loads, 0, 7, 1, unroll});
  // The unrolled kernel on its own grid and on the resident grid.
  for (int loads : {2, 3})
    for (int grid : {1, 2}) tunings.push_back(MsdaTuning{1, 1, 2, 0, loads, 0, 7, 1, 2, grid});
  // Two levels with points past the borders, partial warps and blocks (11 queries); two heads of 64 channels
  // (8 or 16 lanes per pair); one head of 32 channels over three levels (4 or 8 lanes, one pair per lane group);
  // four levels of 4 points; Deformable DETR's pair (8 heads of 32 channels, 4 levels of 4 points: the unrolled
  // kernel's shape) with points past the borders and a level of one position. Three of them also have wild points
  // (Case::wild): far outside, infinite or NaN, with non-finite weights that no design may read.
  const std::vector<Case> cases{
      {"m8 d32", 2, {{6, 9}, {3, 5}}, 8, 32, 11, 3, 132, true},
      {"m2 d64", 1, {{5, 7}, {2, 3}}, 2, 64, 9, 2},
      {"m1 d32", 1, {{4, 4}, {2, 2}, {1, 1}}, 1, 32, 5, 4},
      // 16 points per pair over four levels.
      {"m2 d32 16 points", 1, {{4, 5}, {2, 3}, {1, 2}, {1, 1}}, 2, 32, 7, 4},
      {"m8 d32 16 points", 2, {{5, 6}, {3, 4}, {2, 2}, {1, 1}}, 8, 32, 9, 4, 132, true},
      // The same on one multiprocessor: a resident grid of 4 or 5 blocks (32 or 40 warps) for 74 queries, so warps
      // take whole queries in 2 or 1 rounds and the left-over 10 or 34 are split by round, some blocks twice.
      {"m8 d32 16 points, one SM", 2, {{5, 6}, {3, 4}, {2, 2}, {1, 1}}, 8, 32, 37, 4, 1, true},
  };
  int runs = 0, families = 0;
  unsigned seed = 20261123;
  for (const Case& c : cases) {
    runs += runCase<float>(c, seed++, tunings, families);
    runs += runCase<__half>(c, seed++, tunings, families);
  }
  // fp16 only. "m8 d32 16 points": exchange 7 with either load form, unroll 2 with either, grid 1 or 2 with either,
  // and the default (18 queries, fewer than the grid's warps: resident, residentByDefault): 9, of which the default
  // and the 2 with grid 2 are resident. "one SM": the same 9 (74 queries on 32 warps: 2 rounds and 10 left over,
  // resident by default too), the 3 resident on 4 or 5 blocks.
  if (unrolledRuns != 18) fail("the unrolled kernel ran " + std::to_string(unrolledRuns) + " times, not 18");
  if (residentRuns != 6) fail("the resident grid ran " + std::to_string(residentRuns) + " times, not 6");
  if (check::failures()) return 1;
  std::printf("ok %d %d\n", runs, families);
  return 0;
}
