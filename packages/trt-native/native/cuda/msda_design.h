#pragma once
// Which MSDA kernel design a call gets: the shapes, the tuning knobs, the choice by launch size, and which
// (image, query, head) pair each thread of the shared-corner kernel serves. Plain C++ as well as device code, so
// the rules are tested on a machine without a GPU (test/native/msda_design_check.cc).
#ifdef __CUDACC__
#define TRTKIT_HD __host__ __device__ __forceinline__
#else
#define TRTKIT_HD inline
#endif
// GCC 12.2 (Debian 12's, nvcc's host compiler there) miscompiles the design choice below at -O2 and -O3: its jump
// threading makes chooseDesign refuse designs it accepts at -O1 (docs/benchmarks/kernels.md, fourth session of
// 2026-11-23). The choice runs once per launch on the host; it is compiled without that pass.
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDA_ARCH__)
#define TRTKIT_DESIGN_CODE __attribute__((optimize("no-thread-jumps")))
#else
#define TRTKIT_DESIGN_CODE
#endif

namespace trtkit {

struct MsdaShape {
  int batch;     // N
  int spatial;   // S (sum of H*W over levels)
  int heads;     // M
  int channels;  // D
  int queries;   // Lq
  int levels;    // L (at most kMsdaMaxLevels)
  int points;    // P
};

constexpr int kMsdaMaxLevels = 16;

// A fixed design of the wide kernel, for tuning and benchmarks; 0 in any field chooses as msdaForward does.
struct MsdaTuning {
  int pointSplit;        // with one vector per thread: threads sharing one channel group's points (1, 2, 4, 8)
  int vectorsPerThread;  // 16-byte vectors of channels per thread (1, 2, 4)
  int cornerSharing;     // 2: the lanes of a pair share each point's corner computation (one vector, no split);
                         // 1: every lane computes its own
  int blockThreads;      // threads per block of the split kernel (64, 128, 256)
  int loadForm;          // how corner loads are written: LoadForm below (1 predicated, 2 zero vector,
                         // 3 that with a stated register budget); forms 2, 3 for the shared-corner and 8-way split kernels
  int headsPerWarp;      // shared-corner kernel: a warp holds this many heads of each of 32 / (lanes per pair) /
                         // headsPerWarp consecutive queries; 0 keeps pairs in (query, head) order
  int exchange;          // shared-corner kernel: what a lane sends the others of its pair per point (Exchange
                         // below: 1 four offsets and four weights, 2 two row offsets with edge flags and four weights,
                         // 3 that in bytes, 4 that with half2 weights, 6 rows blended in fp16, 7 that with both
                         // rows in one word)
  int pointPrefetch;     // shared-corner kernel: 1 a lane loads its point's location and weight when its round starts,
                         // 2 one round ahead
  int unroll;            // shared-corner kernel with the packed word (exchange 7): 1 the rounds of points as a loop
                         // over the shape read at run time, 2 the kernel compiled for Deformable DETR's shape
                         // (kUnrolled* below), its rounds unrolled
  int grid;              // the unrolled kernel: 1 a block per 8 queries, 2 resident blocks whose warps take queries
                         // in turn, the left-over split by round (msdaResidentKernel); 0 in an all-zero tuning (the
                         // default) takes 2 where residentByDefault says so, else 1; 0 with any other knob set, 1
};

namespace msda {

// How corner loads are written. The compiler spreads a step's eight predicated loads through the
// accumulation (one branch each in PTX); unconditional loads measured 3% faster for the fp16 encoder and 5-7%
// for the fp16 decoder, a stated register budget (7-8 loads in flight instead of 2-3) helped only fp32.
// docs/benchmarks/kernels.md, 2026-11-23 second session, has the runs.
enum LoadForm : int {
  kPredicated = 1,  // out-of-level corners skip the load
  kZeroVector = 2,  // every load unconditional: out-of-level corners read gZeroVector (same results)
  kBudget = 3,      // kZeroVector with a stated register budget: the compiler then keeps 7-8 loads in flight
};

// What a lane sends the other lanes of its (query, head) pair per point in the shared-corner kernel. Shuffles
// go through the same data pipe as the corner loads (a quarter of its work with four offsets), so the row form
// sends the two corners of a row as one offset and two edge flags.
enum Exchange : int {
  kFourCorners = 1,  // four offsets (-1: outside the level) and four weights: 8 shuffles per point
  kRowPairs = 2,     // two row offsets, edge flags in their low bits (cornerRows), four weights: 6 shuffles
  kByteRows = 3,     // kRowPairs with the rows as byte offsets from the lane's base: 32-bit address arithmetic
                     // and a right corner at a fixed distance (fewer instructions per corner), 6 shuffles
  kByteRowsHalf = 4, // kByteRows with the four weights as two half2 words: 4 shuffles (fp16 values only)
  // 5: measured and removed (kByteRowsLerpHalf with fp32 row weights, 5 shuffles)
  kByteRowsLerpHalf = 6,  // kByteRows with the horizontal fractions as one half2 word and the two row weights as
                          // another: the two corners of a row are blended in fp16 (HFMA2), rows added in fp32;
                          // 4 shuffles (fp16 values only)
  kPackedLerpHalf = 7,    // kByteRowsLerpHalf with both rows in one word: the top-left corner's byte offset and the
                          // four corners' flags; the bottom row is one row of the level further, the same level for
                          // a whole round when the points per level are a multiple of the lanes per pair; 3 shuffles
};

// The shape the unrolled shared-corner kernel is compiled for: 4 lanes per pair (32 fp16 channels per head) and
// 16 points per pair (4 levels x 4 points), with 8 heads (d_model 256, the row known at compile time): the
// Deformable DETR family's encoder and decoder. On an H100 its fp16 encoder call measured 64.0 against 65.6 µs
// (2026-11-23, sixth session in kernels.md), same bits.
constexpr int kUnrolledLanes = 4;
constexpr int kUnrolledPoints = 16;

// Blocks of 256 that fit on one multiprocessor with a load form's register budget (the shared-corner kernels'
// minBlocksFor in msda_sampling.cuh, checked against this there): the resident grid's size.
TRTKIT_HD constexpr int residentBlocksPerSm(int loads) { return loads == kBudget ? 4 : 5; }

// Whether the default (an all-zero MsdaTuning) takes the resident grid: at the unrolled kernel's shape, for every
// launch. Since its rounds are built without a branch (packedMsg) it beat block dispatch on an H100 at every size
// measured from 4,224 to 44,446 queries, by 1.6-6% with Deformable DETR-like locations and 0.5-1.4% with uniform
// ones; below 4,224 it had won by 3-28% before (kernels.md, seventh and eighth sessions). Until then it was the
// default only for launches smaller than the grid or with at most half a round left over.
TRTKIT_HD constexpr bool residentByDefault(const MsdaShape& s, int vec) {
  return vec == 8 && s.channels == kUnrolledLanes * vec && s.heads * s.channels == 256 &&
         s.levels * s.points == kUnrolledPoints && static_cast<long long>(s.batch) * s.queries > 0;
}

// Pairs are numbered (n * queries + q) * heads + m, the order of the output rows. `lanes` threads serve one pair
// (a power of two dividing 32). headsPerWarp 0 gives consecutive threads consecutive pairs: a warp holds the
// heads of one query when heads == 32 / lanes. headsPerWarp h > 0 gives a warp h heads of each of
// 32 / lanes / h consecutive queries; the warps of one query block take its head blocks in turn.
struct PairMap {
  int batch, queries, heads, lanes, headsPerWarp;
};

// Whether the map is one this kernel can run: h divides both the pairs of a warp and the heads.
TRTKIT_HD bool pairMapOk(const PairMap& p) {
  if (p.lanes < 1 || p.lanes > 32 || (p.lanes & (p.lanes - 1)) != 0 || p.heads < 1) return false;
  if (p.headsPerWarp == 0) return true;
  const int perWarp = 32 / p.lanes;
  return p.headsPerWarp > 0 && perWarp % p.headsPerWarp == 0 && p.heads % p.headsPerWarp == 0;
}

// Threads to launch (a multiple of 32 for headsPerWarp > 0: partial query blocks keep idle lanes).
TRTKIT_HD long long pairThreads(const PairMap& p) {
  const long long pairs = static_cast<long long>(p.batch) * p.queries * p.heads;
  if (p.headsPerWarp == 0) return pairs * p.lanes;
  const int qw = 32 / p.lanes / p.headsPerWarp;  // queries per warp
  const long long qBlocks = (p.queries + qw - 1) / qw;
  return static_cast<long long>(p.batch) * qBlocks * (p.heads / p.headsPerWarp) * 32;
}

// The pair of thread `tid` under a map with headsPerWarp 0, and whether it has one (false: an idle lane past the
// end, which still takes part in the warp's shuffles).
TRTKIT_HD long long linearPair(const PairMap& p, long long tid, bool* valid) {
  const long long pair = tid / p.lanes;
  *valid = pair < static_cast<long long>(p.batch) * p.queries * p.heads;
  return pair;
}

// The same under a map with headsPerWarp > 0.
TRTKIT_HD long long blockedPair(const PairMap& p, long long tid, bool* valid) {
  const int perWarp = 32 / p.lanes;
  const int qw = perWarp / p.headsPerWarp;
  const long long warp = tid >> 5;
  const int j = static_cast<int>(tid & 31) / p.lanes;  // pair slot in the warp
  const int hBlocks = p.heads / p.headsPerWarp;
  const long long qBlocks = (p.queries + qw - 1) / qw;
  const int hb = static_cast<int>(warp % hBlocks);
  const long long rest = warp / hBlocks;
  const long long qb = rest % qBlocks;
  const long long n = rest / qBlocks;
  const long long q = qb * qw + j / p.headsPerWarp;
  const int m = hb * p.headsPerWarp + j % p.headsPerWarp;
  *valid = n < p.batch && q < p.queries;
  return (n * p.queries + q) * p.heads + m;
}

// Either of the two, as the map says. Kernels pick one at compile time: the runtime choice alone (one branch at
// the start) changed the schedule of the default kernel's main loop (2 loads in flight instead of 3).
TRTKIT_HD long long pairOf(const PairMap& p, long long tid, bool* valid) {
  return p.headsPerWarp == 0 ? linearPair(p, tid, valid) : blockedPair(p, tid, valid);
}

// Whether the byte-row exchange forms can serve shape s: one image's value addressed in bytes and every thread
// index in 31 bits (the kernel then uses 32-bit offsets and index arithmetic), unconditional loads, the linear
// pair map, no prefetch (it measured slower with every byte form), and half2 words only for fp16 values (vec 8).
TRTKIT_HD bool byteRowsOk(const MsdaShape& s, int vec, int loads, int headsPerWarp, int exchange, int prefetch) {
  const long long bytes = static_cast<long long>(s.spatial) * s.heads * s.channels * (16 / vec);
  const long long threads = static_cast<long long>(s.batch) * s.queries * s.heads * (s.channels / vec);
  return bytes < (1LL << 31) && threads < (1LL << 31) && loads != kPredicated && headsPerWarp == 0 &&
         prefetch == 1 && (exchange < kByteRowsHalf || vec == 8);
}

// The exchange forms there are.
TRTKIT_HD bool exchangeKnown(int e) {
  return e == kFourCorners || e == kRowPairs || e == kByteRows || e == kByteRowsHalf || e == kByteRowsLerpHalf ||
         e == kPackedLerpHalf;
}

// The load form a design takes when none is asked for, and whether a load form fits the design: forms 2 and 3
// are written for the shared-corner kernel and the 8-way split kernel only.
TRTKIT_HD int defaultLoads(bool shared, bool bytes, int vec, int split) {
  if (!shared) return split == 8 ? kZeroVector : kPredicated;
  return vec == 8 && !bytes ? kZeroVector : kBudget;
}
TRTKIT_HD bool loadsOk(int loads, bool shared, int split) {
  if (loads == kPredicated) return true;
  return (loads == kZeroVector || loads == kBudget) && (shared || split == 8);
}

// A resolved design: which kernel runs with which template arguments and launch shape.
struct Design {
  bool ok;      // false: the shape does not allow the tuning asked for
  bool shared;  // the shared-corner kernel (else the wide kernel with nv vectors per thread and split points)
  int nv, split, loads, exchange, prefetch, block;
  bool unrolled;      // the shared-corner kernel compiled for kUnrolledLanes and kUnrolledPoints
  int residentBlocks;  // > 0: the unrolled kernel on a grid of this many resident blocks (msdaResidentKernel)
  PairMap map;         // shared-corner kernel only
};

// The kernel family of a design: vectors per thread, point split, shared corners (false: refused).
TRTKIT_DESIGN_CODE inline bool chooseFamily(const MsdaShape& s, int vec, const MsdaTuning& t, int sms, Design& d) {
  const long long pairs = static_cast<long long>(s.batch) * s.queries * s.heads;
  const long long target = static_cast<long long>(sms) * 1024;
  const int vectors = s.channels / vec;
  // One vector per thread measured fastest on H100 at both encoder and decoder sizes.
  d.nv = t.vectorsPerThread > 0 ? t.vectorsPerThread : 1;
  if (vectors % d.nv != 0 || (d.nv != 1 && d.nv != 2 && d.nv != 4)) return false;
  const int groups = vectors / d.nv;
  const bool pow2 = (groups & (groups - 1)) == 0;
  d.split = 1;
  if (d.nv == 1) {
    while (pow2 && d.split < 8 && groups * d.split * 2 <= 32 && d.split * 2 <= s.levels * s.points &&
           pairs * groups * d.split < target)
      d.split *= 2;
  }
  if (t.pointSplit != 0) {
    if (t.pointSplit != 1 && t.pointSplit != 2 && t.pointSplit != 4 && t.pointSplit != 8) return false;
    if (t.pointSplit > 1 && (d.nv != 1 || !pow2 || groups * t.pointSplit > 32)) return false;
    d.split = t.pointSplit;
  }
  // Corner sharing needs whole power-of-two lane groups of 2..32 per pair.
  const bool canShare = d.nv == 1 && d.split == 1 && pow2 && groups >= 2 && groups <= 32;
  if (t.cornerSharing < 0 || t.cornerSharing > 2 || (t.cornerSharing == 2 && !canShare)) return false;
  d.shared = canShare && t.cornerSharing != 1;
  d.map = PairMap{s.batch, s.queries, s.heads, groups, t.headsPerWarp};
  // Pair maps, exchange forms and point prefetch belong to the shared-corner kernel.
  return d.shared || (t.exchange == 0 && t.headsPerWarp == 0 && t.pointPrefetch == 0);
}

// The exchange form of a design: the one asked for, else a byte form where the shape and the other knobs allow
// it. On an H100 (kernels.md, 2026-11-23 fourth session) the fp16 encoder took 73.9 -> 65.0 µs with rows blended
// in fp16 and half2 weights (relative error 4.2e-4 against 2.1e-4), and 66.7 -> 65.4 with both rows in one word;
// fp32 112.7 -> 107.0 µs with byte rows (same bits), each in one run.
TRTKIT_DESIGN_CODE inline int chooseExchange(const MsdaShape& s, int vec, const MsdaTuning& t, bool shared,
                                             int lanes) {
  if (t.exchange != 0) return t.exchange;
  if (!shared) return kFourCorners;
  // fp16: the packed word where a round's points share a level (same bits as the row blend, one shuffle fewer).
  const int byteForm = vec != 8 ? kByteRows : s.points % lanes == 0 ? kPackedLerpHalf : kByteRowsLerpHalf;
  const int loads = t.loadForm != 0 ? t.loadForm : kBudget;
  const int prefetch = t.pointPrefetch != 0 ? t.pointPrefetch : 1;
  return byteRowsOk(s, vec, loads, t.headsPerWarp, byteForm, prefetch) ? byteForm : kRowPairs;
}

// The design for shape s with `vec` elements per 16-byte vector and tuning t (all 0: msdaForward's choice) on a
// GPU of `sms` multiprocessors. Large launches (encoder) take the shared-corner kernel, small ones (decoder)
// one vector per thread with points split over up to 8 threads, so the launch fills the GPU. (Built without
// GCC's jump threading: TRTKIT_DESIGN_CODE above; test/native/msda_design_check.cc checks it at -O2 and -O3.)
TRTKIT_DESIGN_CODE inline Design chooseDesign(const MsdaShape& s, int vec, const MsdaTuning& t, int sms) {
  const bool byDefault = t.pointSplit == 0 && t.vectorsPerThread == 0 && t.cornerSharing == 0 && t.blockThreads == 0 &&
                         t.loadForm == 0 && t.headsPerWarp == 0 && t.exchange == 0 && t.pointPrefetch == 0 &&
                         t.unroll == 0 && t.grid == 0;
  if (byDefault && residentByDefault(s, vec)) {
    // the resident grid is the unrolled shared-corner kernel, also where a small launch would otherwise split points
    const Design r = chooseDesign(s, vec, MsdaTuning{1, 1, 2, 0, 0, 0, 0, 0, 0, 2}, sms);
    if (r.ok) return r;
  }
  Design d{};
  if (!chooseFamily(s, vec, t, sms, d)) return Design{};
  d.exchange = chooseExchange(s, vec, t, d.shared, d.map.lanes);
  if (!exchangeKnown(d.exchange)) return Design{};
  const bool bytes = d.exchange >= kByteRows;
  // Load forms exist for the shared-corner kernel and the 8-way split kernel; the defaults are the fastest
  // measured on an H100 (kernels.md, second and fourth sessions). The byte forms always load through one
  // predicated instruction: for them the form only states the register budget (2: 5 blocks of 256 per
  // multiprocessor, 48 registers; 3: 4 blocks, 64).
  d.loads = t.loadForm != 0 ? t.loadForm : defaultLoads(d.shared, bytes, vec, d.split);
  if (!loadsOk(d.loads, d.shared, d.split)) return Design{};
  // Prefetch: fp32's row exchange only (4% there, 1-1.5% slower for fp16, slower with every byte form).
  d.prefetch = t.pointPrefetch != 0 ? t.pointPrefetch : d.exchange == kRowPairs && vec == 4 ? 2 : 1;
  if (d.prefetch != 1 && d.prefetch != 2) return Design{};
  if (bytes && !byteRowsOk(s, vec, d.loads, t.headsPerWarp, d.exchange, d.prefetch)) return Design{};
  if (d.exchange == kPackedLerpHalf && s.points % d.map.lanes != 0) return Design{};  // a round within one level
  if (t.blockThreads != 0 && t.blockThreads != 64 && t.blockThreads != 128 && t.blockThreads != 256) return Design{};
  d.block = t.blockThreads != 0 ? t.blockThreads : 256;
  if (bytes && d.block != 256) return Design{};  // the byte forms' kernels are built for blocks of 256
  if (d.shared && !pairMapOk(d.map)) return Design{};
  // The unrolled kernel: the packed word at exactly the shape it is compiled for.
  const bool canUnroll = d.exchange == kPackedLerpHalf && d.map.lanes == kUnrolledLanes &&
                         s.levels * s.points == kUnrolledPoints && s.heads * s.channels == 256;
  if (t.unroll < 0 || t.unroll > 2 || (t.unroll == 2 && !canUnroll)) return Design{};
  d.unrolled = canUnroll && t.unroll != 1;
  // The resident grid when asked for, or by default where residentByDefault says so (above).
  if (t.grid < 0 || t.grid > 2 || (t.grid == 2 && !d.unrolled)) return Design{};
  d.residentBlocks = t.grid == 2 ? sms * residentBlocksPerSm(d.loads) : 0;
  d.ok = true;
  return d;
}

}  // namespace msda
}  // namespace trtkit
