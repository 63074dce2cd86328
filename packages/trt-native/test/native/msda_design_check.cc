// Host check of the MSDA design rules (native/cuda/msda_design.h), run by kernels-cpu.test.ts.
// Design choice: the defaults for the sizes the kernels were tuned on, and every tuning knob refused where the
// shape cannot take it. Pair map of the shared-corner kernel: every pair gets its `lanes` threads exactly once,
// as one aligned lane group; a warp's pairs are the heads and queries the map promises; maps the kernel cannot
// run are refused. Prints "ok <designs> <maps> <threads>" or the first failure, and exits non-zero on failure.
#include <cstdio>
#include <vector>

#include "msda_design.h"

using trtkit::MsdaShape;
using trtkit::MsdaTuning;
using trtkit::msda::chooseDesign;
using trtkit::msda::Design;
using trtkit::msda::PairMap;

// Deformable DETR at 800x1333: S = 22,223 tokens over 4 levels, 8 heads x 32 channels, 4 points per level.
constexpr int kS = 22223;
constexpr int kSms = 132;  // H100 SXM

static int designFail(int line, const char* what) {
  std::printf("FAIL design check at line %d: %s\n", line, what);
  return 1;
}
#define EXPECT(cond)                                      \
  do {                                                    \
    ++designs;                                            \
    if (!(cond)) return designFail(__LINE__, #cond);      \
  } while (0)

// The design choice as the launchers call it: the elements per vector known at compile time (msda.cu's
// launchWide<T>), the multiprocessor count not. GCC 12.2 once miscompiled exactly this form at -O3.
template <int kVec>
__attribute__((noinline)) Design chooseAsLaunched(const MsdaShape& s, const MsdaTuning& t, volatile int sms) {
  return chooseDesign(s, kVec, t, sms);
}

static bool sameDesign(const Design& a, const Design& b) {
  return a.ok == b.ok && a.shared == b.shared && a.nv == b.nv && a.split == b.split && a.loads == b.loads &&
         a.exchange == b.exchange && a.prefetch == b.prefetch && a.block == b.block && a.unrolled == b.unrolled &&
         a.residentBlocks == b.residentBlocks &&
         a.map.lanes == b.map.lanes &&
         a.map.headsPerWarp == b.map.headsPerWarp;
}

static int checkDesigns(int& designs) {
  const MsdaShape encoder{1, kS, 8, 32, kS, 4, 4}, decoder{1, kS, 8, 32, 300, 4, 4};
  const MsdaTuning none{};
  // Defaults: fp16 (8 per vector) and fp32 (4 per vector) encoder take the shared-corner kernel with their
  // byte forms (fp16: rows blended in fp16, both rows in one word), a register budget of 4 blocks and no prefetch;
  // decoders split points 8 (fp16) or 4 (fp32) ways.
  using namespace trtkit::msda;
  Design d = chooseDesign(encoder, 8, none, kSms);
  EXPECT(d.ok && d.shared && d.nv == 1 && d.split == 1 && d.loads == kBudget && d.block == 256);
  EXPECT(d.exchange == kPackedLerpHalf && d.prefetch == 1 && d.map.lanes == 4 &&
         d.map.headsPerWarp == 0 && d.unrolled);
  d = chooseDesign(encoder, 4, none, kSms);
  EXPECT(d.ok && d.shared && d.loads == kBudget && d.map.lanes == 8);
  EXPECT(d.exchange == kByteRows && d.prefetch == 1);
  // (fp16 at d_model 256 and 16 points per pair takes the resident grid by default: below; grid 1 keeps the others)
  d = chooseDesign(decoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, kSms);
  EXPECT(d.ok && !d.shared && d.split == 8 && d.loads == kZeroVector && d.block == 256);
  EXPECT(d.exchange == kFourCorners && d.prefetch == 1);  // the split kernel has neither
  d = chooseDesign(decoder, 4, none, kSms);
  EXPECT(d.ok && !d.shared && d.split == 4 && d.loads == kPredicated);
  // 24 channels of fp16: three vectors, not a power of two: one lane per vector, no split, no sharing.
  d = chooseDesign(MsdaShape{1, 256, 4, 24, 200, 2, 4}, 8, none, kSms);
  EXPECT(d.ok && !d.shared && d.split == 1 && d.nv == 1);
  // Knobs the byte forms cannot take, or shapes past their 31-bit offsets and indices, keep the element-offset
  // row exchange as the default (with fp32's prefetch), and refuse a byte form asked for.
  d = chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 1, 0, 0, 0}, kSms);  // predicated loads
  EXPECT(d.ok && d.exchange == kRowPairs && d.loads == kPredicated);
  d = chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 2, 0, 0}, kSms);  // 2 heads per warp
  EXPECT(d.ok && d.exchange == kRowPairs && d.loads == kZeroVector && d.map.headsPerWarp == 2);
  d = chooseDesign(encoder, 4, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 2}, kSms);  // prefetch
  EXPECT(d.ok && d.exchange == kRowPairs && d.prefetch == 2);
  const MsdaShape wide{1, 1 << 20, 16, 64, 1 << 16, 4, 4};  // 2^20 x 1024 fp16 values: 2 GiB, past 31 bits
  d = chooseDesign(wide, 8, none, kSms);
  EXPECT(d.ok && d.exchange == kRowPairs && d.loads == kZeroVector && d.prefetch == 1);
  EXPECT(!chooseDesign(wide, 8, MsdaTuning{0, 0, 0, 0, 0, 0, kByteRows, 0}, kSms).ok);
  const MsdaShape many{64, 8192, 8, 32, 8192, 4, 4};  // 64 x 8192 x 8 pairs x 4 lanes = 2^24 threads: fits
  EXPECT(chooseDesign(many, 8, none, kSms).exchange == kPackedLerpHalf);
  const MsdaShape tooMany{8192, 8192, 8, 32, 8192, 4, 4};  // 2^31 threads
  EXPECT(chooseDesign(tooMany, 8, none, kSms).exchange == kRowPairs);
  // The launchers' form of the call agrees with the plain one on the shapes the GPU checks use.
  const MsdaShape launched[] = {encoder, decoder, {2, 1200, 1, 64, 500, 1, 1}, {2, 890, 8, 32, 300, 4, 4},
                                {1, 765, 2, 256, 64, 5, 3}, {3, 83, 2, 32, 7, 2, 3}};
  for (const MsdaShape& sh : launched)
    for (const MsdaTuning& t : {none, MsdaTuning{1, 1, 2, 0, 0, 0, 0, 0}}) {
      EXPECT(sameDesign(chooseAsLaunched<4>(sh, t, kSms), chooseDesign(sh, 4, t, kSms)));
      EXPECT(sameDesign(chooseAsLaunched<8>(sh, t, kSms), chooseDesign(sh, 8, t, kSms)));
    }
  for (const MsdaShape& sh : launched)
    EXPECT(chooseAsLaunched<4>(sh, none, kSms).ok && chooseAsLaunched<8>(sh, none, kSms).ok);
  // Fixed designs the encoder takes: every combination the benchmark times.
  for (int loads : {1, 2, 3})
    for (int h : {0, 1, 2, 4, 8})
      for (int ex : {1, 2})
        for (int pf : {1, 2}) {
          d = chooseDesign(encoder, 8, MsdaTuning{1, 1, 2, 0, loads, h, ex, pf}, kSms);
          EXPECT(d.ok && d.shared && d.loads == loads && d.exchange == ex && d.prefetch == pf && d.map.headsPerWarp == h);
        }
  for (int vec : {4, 8})
    for (int loads : {2, 3})
      for (int ex : {3, 4, 6, 7}) {
        d = chooseDesign(encoder, vec, MsdaTuning{1, 1, 2, 0, loads, 0, ex, 1}, kSms);
        const bool half2 = ex != kByteRows;  // half2 words: fp16 values only
        EXPECT(d.ok == (vec == 8 || !half2));
        if (d.ok) EXPECT(d.loads == loads && d.exchange == ex);
      }
  // Refused: knobs out of range, designs the channels do not allow, shared-kernel knobs elsewhere.
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{3, 0, 0, 0, 0, 0, 0, 0}, kSms).ok);    // split 3
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{16, 0, 0, 0, 0, 0, 0, 0}, kSms).ok);   // split 16
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 3, 0, 0, 0, 0, 0, 0}, kSms).ok);    // 3 vectors per thread
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 8, 0, 0, 0, 0, 0, 0}, kSms).ok);    // 8 > 4 vectors of D = 32
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{2, 2, 0, 0, 0, 0, 0, 0}, kSms).ok);    // split with 2 vectors
  EXPECT(!chooseDesign(encoder, 4, MsdaTuning{8, 1, 0, 0, 0, 0, 0, 0}, kSms).ok);    // 8 lanes x 8 > 32
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{2, 1, 2, 0, 0, 0, 0, 0}, kSms).ok);    // sharing with a split
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 3, 0, 0, 0, 0, 0}, kSms).ok);    // sharing 3
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 4, 0, 0, 0}, kSms).ok);    // load form 4
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{4, 0, 0, 0, 2, 0, 0, 0}, kSms).ok);    // form 2 on the 4-way split
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 96, 0, 0, 0, 0}, kSms).ok);   // 96-thread blocks
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 3, 0, 0}, kSms).ok);    // 3 heads per warp
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 16, 0, 0}, kSms).ok);   // 16 > 8 pairs per warp
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 5, 0}, kSms).ok);    // exchange 5 (removed)
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 8, 0}, kSms).ok);    // exchange 8
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 3}, kSms).ok);    // prefetch 3
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 1, 0, 3, 0}, kSms).ok);    // byte rows, predicated
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 2, 3, 0}, kSms).ok);    // byte rows, 2 heads/warp
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 3, 2}, kSms).ok);    // byte rows, prefetch
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 128, 0, 0, 3, 0}, kSms).ok);  // byte rows, 128 threads
  EXPECT(!chooseDesign(encoder, 4, MsdaTuning{0, 0, 0, 0, 0, 0, 6, 0}, kSms).ok);    // fp16 blend, fp32 values
  EXPECT(!chooseDesign(encoder, 4, MsdaTuning{0, 0, 0, 0, 0, 0, 7, 0}, kSms).ok);    // packed, fp32 values
  // The packed word needs whole rounds per level: 3 points per level over 4 lanes straddle two.
  EXPECT(!chooseDesign(MsdaShape{1, kS, 8, 32, kS, 4, 3}, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 7, 0}, kSms).ok);
  EXPECT(chooseDesign(MsdaShape{1, kS, 8, 32, kS, 4, 8}, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 7, 0}, kSms).ok);
  EXPECT(chooseDesign(MsdaShape{1, kS, 8, 32, kS, 4, 3}, 8, none, kSms).exchange == kByteRowsLerpHalf);  // default
  for (int k = 5; k < 8; ++k) {  // pair map, exchange, prefetch: shared-corner kernel only
    int f[8] = {8, 1, 0, 0, 0, 0, 0, 0};
    f[k] = 2;
    EXPECT(!chooseDesign(decoder, 8, MsdaTuning{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]}, kSms).ok);
    f[0] = 0;
    f[2] = 1;  // per-lane corners
    EXPECT(!chooseDesign(encoder, 8, MsdaTuning{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]}, kSms).ok);
  }
  // The unrolled kernel: the packed word at 4 lanes and 16 points per pair and d_model 256 only; unroll 1 keeps
  // the loop, 2 insists, anything else is refused.
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 1}, kSms).unrolled);
  EXPECT(chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 1}, kSms).ok);
  EXPECT(chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 2, 0, 7, 1, 2}, kSms).unrolled);
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 3}, kSms).ok);
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 6, 0, 2}, kSms).ok);  // the row blend: no
  EXPECT(!chooseDesign(encoder, 4, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 2}, kSms).ok);  // fp32: no packed word
  EXPECT(!chooseDesign(decoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 2}, kSms).ok);  // the split kernel
  EXPECT(!chooseDesign(decoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, kSms).unrolled);
  for (const MsdaShape& sh : {MsdaShape{1, kS, 8, 32, kS, 4, 8}, MsdaShape{1, kS, 8, 32, kS, 2, 4},
                              MsdaShape{1, kS, 4, 32, kS, 4, 4}, MsdaShape{1, kS, 16, 16, kS, 4, 4}}) {
    d = chooseDesign(sh, 8, none, kSms);  // 32 or 8 points, d_model 128, 2 lanes per pair: the loop
    EXPECT(d.ok && d.exchange == kPackedLerpHalf && !d.unrolled);
  }
  EXPECT(chooseDesign(MsdaShape{2, kS, 8, 32, kS, 2, 8}, 8, none, kSms).unrolled);  // 2 levels x 8 points: 16
  // The resident grid when asked for (grid 2): 4 blocks of 8 warps per multiprocessor with the register budget, 5
  // with load form 2; grid 1 keeps a block per 8 queries. By default (residentByDefault): every launch of the unrolled
  // kernel's shape, whatever its size or the number of multiprocessors.
  EXPECT(chooseDesign(encoder, 8, none, kSms).residentBlocks == kSms * 4);  // 5 rounds + 1,103 queries
  d = chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, kSms);
  EXPECT(d.ok && d.unrolled && d.residentBlocks == 0);
  EXPECT(chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, kSms).residentBlocks == kSms * 4);
  EXPECT(chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 2, 0, 7, 1, 0, 2}, kSms).residentBlocks == kSms * 5);
  // a launch smaller than the grid: every query split by round (the checks' shapes)
  const MsdaShape small{1, kS, 8, 32, 500, 4, 4};
  EXPECT(chooseDesign(small, 8, MsdaTuning{1, 1, 2, 0, 0, 0, 0, 0, 0, 2}, kSms).residentBlocks == kSms * 4);
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 1, 2}, kSms).ok);  // the loop: no
  EXPECT(!chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 0, 3}, kSms).ok);
  EXPECT(!chooseDesign(encoder, 4, MsdaTuning{0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, kSms).ok);  // fp32
  d = chooseDesign(decoder, 8, none, kSms);  // 300 queries: every one split by round
  EXPECT(d.ok && d.shared && d.split == 1 && d.unrolled && d.residentBlocks == kSms * 4);
  constexpr int kW = kSms * 4 * 8;
  for (const int lq : {1, kW - 1, kW, kW + 1, kW + kW / 2, kW + kW / 2 + 1, 2 * kW, 3 * kW + 7, 20000})
    EXPECT(chooseDesign(MsdaShape{1, kS, 8, 32, lq, 4, 4}, 8, none, kSms).residentBlocks == kSms * 4);
  EXPECT(chooseDesign(MsdaShape{2, kS, 8, 32, 15000, 4, 4}, 8, none, kSms).residentBlocks == kSms * 4);  // 30,000
  EXPECT(chooseDesign(MsdaShape{2, kS, 8, 32, 10000, 4, 4}, 8, none, kSms).residentBlocks == kSms * 4);  // 20,000
  EXPECT(chooseDesign(encoder, 8, none, 108).residentBlocks == 432);  // 108 SMs (A100)
  EXPECT(chooseDesign(encoder, 8, none, 100).residentBlocks == 400);
  EXPECT(chooseDesign(encoder, 4, none, kSms).residentBlocks == 0);   // fp32
  EXPECT(chooseDesign(decoder, 4, none, kSms).residentBlocks == 0);
  EXPECT(chooseDesign(MsdaShape{1, kS, 8, 32, kS, 4, 3}, 8, none, kSms).residentBlocks == 0);  // 12 points
  EXPECT(chooseDesign(MsdaShape{1, kS, 4, 32, kS, 4, 4}, 8, none, kSms).residentBlocks == 0);  // d_model 128
  // any knob set, even to the default's value, keeps the tuning's own design
  EXPECT(chooseDesign(encoder, 8, MsdaTuning{0, 0, 0, 0, 3, 0, 0, 0}, kSms).residentBlocks == 0);
  EXPECT(chooseDesign(decoder, 8, MsdaTuning{0, 0, 0, 0, 0, 0, 7, 0}, kSms).residentBlocks == 0);
  // Two heads: 2 heads per warp fits, 4 does not (they must divide the heads).
  const MsdaShape twoHeads{3, 83, 2, 64, 13, 2, 3};
  EXPECT(chooseDesign(twoHeads, 8, MsdaTuning{1, 1, 2, 0, 0, 2, 0, 0}, kSms).ok);
  EXPECT(!chooseDesign(twoHeads, 8, MsdaTuning{1, 1, 2, 0, 0, 4, 0, 0}, kSms).ok);
  return 0;
}

static int fail(const PairMap& p, long long tid, const char* what) {
  std::printf("FAIL batch=%d queries=%d heads=%d lanes=%d headsPerWarp=%d tid=%lld: %s\n", p.batch, p.queries, p.heads,
              p.lanes, p.headsPerWarp, tid, what);
  return 1;
}

static int check(const PairMap& p, long long* threadsSeen) {
  const long long pairs = static_cast<long long>(p.batch) * p.queries * p.heads;
  const long long threads = trtkit::msda::pairThreads(p);
  if (p.headsPerWarp > 0 && threads % 32 != 0) return fail(p, -1, "thread count not whole warps");
  std::vector<int> hits(static_cast<size_t>(pairs), 0);
  const int perWarp = 32 / p.lanes;
  for (long long tid = 0; tid < threads; ++tid) {
    bool valid = false;
    const long long pair = trtkit::msda::pairOf(p, tid, &valid);
    // The lanes of one pair are an aligned group: the group's first thread decides for all of them.
    bool firstValid = false;
    const long long first = trtkit::msda::pairOf(p, tid - (tid & (p.lanes - 1)), &firstValid);
    if (first != pair || firstValid != valid) return fail(p, tid, "lanes of one group disagree");
    if (!valid) continue;
    if (pair < 0 || pair >= pairs) return fail(p, tid, "pair out of range");
    ++hits[static_cast<size_t>(pair)];
    if (p.headsPerWarp == 0) {
      if (pair != tid / p.lanes) return fail(p, tid, "linear map is not tid / lanes");
      continue;
    }
    // Slot j of a warp: head j % h of its head block, query j / h of its query block.
    const int j = static_cast<int>(tid & 31) / p.lanes;
    const long long warpFirstTid = tid & ~31LL;
    bool v0 = false;
    const long long p0 = trtkit::msda::pairOf(p, warpFirstTid, &v0);
    const long long q = (pair / p.heads) % p.queries, q0 = (p0 / p.heads) % p.queries;
    const int m = static_cast<int>(pair % p.heads), m0 = static_cast<int>(p0 % p.heads);
    if (v0 && (q - q0 != j / p.headsPerWarp || m - m0 != j % p.headsPerWarp || m0 % p.headsPerWarp != 0))
      return fail(p, tid, "warp slot holds the wrong query or head");
    if (j >= perWarp) return fail(p, tid, "slot past the warp");
  }
  for (long long i = 0; i < pairs; ++i)
    if (hits[static_cast<size_t>(i)] != p.lanes) return fail(p, i, "pair not served by exactly its lanes");
  *threadsSeen += threads;
  return 0;
}

int main() {
  int designs = 0;
  if (checkDesigns(designs) != 0) return 1;
  int maps = 0;
  long long threads = 0;
  for (int lanes : {1, 2, 4, 8, 16, 32})
    for (int heads : {1, 2, 3, 4, 8, 16})
      for (int h : {0, 1, 2, 4, 8, 16, 32})
        for (int queries : {1, 5, 77, 300})
          for (int batch : {1, 3}) {
            const PairMap p{batch, queries, heads, lanes, h};
            const bool ok = trtkit::msda::pairMapOk(p);
            const bool expected = h == 0 || ((32 / lanes) % h == 0 && heads % h == 0);
            if (ok != expected) return fail(p, -1, ok ? "map accepted that the kernel cannot run" : "map refused");
            if (!ok) continue;
            if (check(p, &threads) != 0) return 1;
            ++maps;
          }
  // Lane counts that are not a power of two are refused.
  for (int lanes : {0, 3, 6, 64})
    if (trtkit::msda::pairMapOk(PairMap{1, 4, 8, lanes, 0})) return fail(PairMap{1, 4, 8, lanes, 0}, -1, "bad lanes");
  std::printf("ok %d %d %lld\n", designs, maps, threads);
  return 0;
}
