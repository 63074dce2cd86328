#pragma once
// Runs CUDA kernels on the CPU, for tests on machines without a GPU. Include it before the kernel headers and
// compile as host C++ with the CUDA headers on the include path and strict aliasing off (`nvcc -x c++ -Xcompiler
// -fno-strict-aliasing`: kernels read 16-byte vectors through __half2 pointers, which device compilers allow and
// optimising host compilers do not). The CUDA keywords become nothing, and each block runs as fibers on one
// thread, one per CUDA thread, switched at every warp shuffle and barrier, so a shuffle sees what the other lanes
// hold at the same point of the program, as on the GPU. Covers: thread and block indices in up to three
// dimensions, __ldg, full-warp __shfl_sync / __shfl_xor_sync / __shfl_up_sync / __ballot_sync, __syncthreads and
// __syncthreads_or, __shared__ (function statics: blocks run one at a time), dynamic shared memory
// (TRTKIT_DYNAMIC_SHARED in the kernels, NaN until written), atomicAdd, the fp16 conversions and arithmetic of
// cuda_fp16.h, rsqrtf, __expf, __ffs, __popc, __fmaf_rn, __float2int_rd, int min / max. Inline PTX is not: kernels
// give it a C++ form under `#ifndef __CUDA_ARCH__`, which is what runs here. Not covered: partial warp masks, races
// and memory ordering (fibers run one after another, so atomics are plain updates). A shuffle that some lanes of a
// warp never reach (divergence) and a barrier that never opens are reported as errors, where a GPU would give
// undefined results or hang.
#include <cuda_fp16.h>
#include <cuda_runtime_api.h>
#include <ucontext.h>
#include <vector_functions.h>
#include <vector_types.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#define TRTKIT_CUDA_EMULATOR 1  // kernel headers take their emulated forms (dynamic shared memory)
#undef __global__
#undef __device__
#undef __forceinline__
#undef __shared__
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

inline uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

namespace cuda_emulator {

// Memory kernels may read through __ldg. Once any is registered, a read outside all of it throws (the GPU
// would read garbage or fault); reads through plain pointers are not checked.
struct Range {
  const char* begin;
  const char* end;
};
inline std::vector<Range>& readable() {
  static std::vector<Range> ranges;
  return ranges;
}
inline void allowReads(const void* p, size_t bytes) {
  const char* b = static_cast<const char*>(p);
  readable().push_back({b, b + bytes});
}
inline void clearReads() { readable().clear(); }
inline void checkRead(const void* p, size_t bytes) {
  if (readable().empty()) return;
  const char* b = static_cast<const char*>(p);
  for (const Range& r : readable())
    if (b >= r.begin && b + bytes <= r.end) return;
  throw std::out_of_range("cuda_emulator: __ldg of " + std::to_string(bytes) + " bytes outside every buffer");
}

}  // namespace cuda_emulator

template <typename T>
inline T __ldg(const T* p) {
  cuda_emulator::checkRead(p, sizeof(T));
  return *p;
}

inline float rsqrtf(float x) { return 1.f / std::sqrt(x); }  // the GPU's is within 2 ulp of this
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline float __fmul_rn(float a, float b) { return a * b; }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline int __ffs(int x) { return __builtin_ffs(x); }
// cvt.rmi.s32.f32: toward -inf, saturating at the int range, NaN to 0
inline int __float2int_rd(float x) {
  if (std::isnan(x)) return 0;
  const float f = std::floor(x);
  if (f >= 2147483648.f) return 2147483647;
  if (f < -2147483648.f) return -2147483647 - 1;
  return static_cast<int>(f);
}
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline float __expf(float x) { return std::exp(x); }  // the GPU's is approximate (ex2.approx): bounds allow for it

inline float __uint_as_float(unsigned int u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline unsigned int __float_as_uint(float f) {
  unsigned int u;
  std::memcpy(&u, &f, 4);
  return u;
}

// The fused fp16 multiply-add the host headers leave to device code: exact in double, rounded to fp16 once, as
// the GPU's HFMA2 (exact while the product and the addend are within 2^30 of each other in magnitude).
inline __half2 __hfma2(__half2 a, __half2 b, __half2 c) {
  const float2 x = __half22float2(a), y = __half22float2(b), z = __half22float2(c);
  return __halves2half2(__double2half(static_cast<double>(x.x) * y.x + z.x),
                        __double2half(static_cast<double>(x.y) * y.y + z.y));
}

namespace cuda_emulator {

constexpr int kLanes = 32;
constexpr size_t kStack = 64 * 1024;  // the kernels' frames are small; a block has up to 1024 threads

enum class Wait { kReady, kShuffle, kBarrier, kDone };

struct Thread {
  ucontext_t ctx;
  std::vector<char> stack = std::vector<char>(kStack);
  Wait wait = Wait::kReady;
  unsigned long long shuffles = 0;  // how many this thread has reached
  unsigned long long votes = 0;     // how many __syncthreads_or
};

// One block at a time: its threads are fibers on this thread, each run until its next shuffle, barrier or end.
struct Block {
  ucontext_t scheduler;
  std::vector<Thread> threads;
  std::vector<uint32_t> slots;  // per warp two banks of 32: a lane may reach shuffle k + 1 while others read shuffle k
  std::vector<int> votes;       // two banks of one per thread, for __syncthreads_or (the same reason)
  std::vector<float> shared;    // dynamic shared memory, refilled with NaN for every block
  int current = 0;
  std::function<void()> body;
  std::exception_ptr error;  // thrown in a thread; the launch rethrows it
};

inline Block*& block() {
  static Block* b = nullptr;
  return b;
}

inline void threadEntry() {
  Block& b = *block();
  try {
    b.body();
  } catch (...) {
    b.error = std::current_exception();  // exceptions cannot cross the fiber's first frame
  }
  b.threads[b.current].wait = Wait::kDone;  // returning resumes the scheduler (uc_link)
}

// The current thread offers v, waits until every lane of its warp has offered its own, and returns the 32 offers
// (valid until the warp's next exchange but one).
template <typename T>
const uint32_t* exchange(unsigned mask, T v) {
  static_assert(sizeof(T) == 4, "32-bit shuffles only");
  if (mask != 0xffffffffu) throw std::logic_error("cuda_emulator: partial warp masks are not emulated");
  Block& b = *block();
  const int t = b.current;
  Thread& me = b.threads[t];
  uint32_t* banks = &b.slots[static_cast<size_t>(t / kLanes) * 2 * kLanes];
  const int bank = static_cast<int>(me.shuffles & 1);
  std::memcpy(&banks[bank * kLanes + t % kLanes], &v, 4);
  ++me.shuffles;
  me.wait = Wait::kShuffle;
  swapcontext(&me.ctx, &b.scheduler);
  return &banks[bank * kLanes];
}

// Lane src's value of v.
template <typename T>
T shuffle(unsigned mask, T v, int src) {
  T out;
  std::memcpy(&out, &exchange(mask, v)[src & (kLanes - 1)], 4);
  return out;
}

// Bit l set where lane l's predicate is non-zero.
inline unsigned ballot(unsigned mask, int predicate) {
  const uint32_t* all = exchange(mask, static_cast<uint32_t>(predicate != 0));
  unsigned bits = 0;
  for (int l = 0; l < kLanes; ++l) bits |= all[l] << l;
  return bits;
}

inline void syncthreads() {
  Block& b = *block();
  Thread& me = b.threads[b.current];
  me.wait = Wait::kBarrier;
  swapcontext(&me.ctx, &b.scheduler);
}

// __syncthreads_or: a barrier, then whether any thread of the block passed a non-zero predicate.
inline int syncthreadsOr(int predicate) {
  Block& b = *block();
  const size_t n = b.threads.size(), t = static_cast<size_t>(b.current);
  const size_t bank = (b.threads[t].votes++ & 1) * n;
  b.votes[bank + t] = predicate != 0;
  syncthreads();
  for (size_t i = 0; i < n; ++i)
    if (b.votes[bank + i]) return 1;
  return 0;
}

// The block's dynamic shared memory (the launch's `sharedBytes`), as the kernel's element type.
template <typename T>
T* dynamicShared() {
  return reinterpret_cast<T*>(block()->shared.data());
}

// Context calls live in their own frames: getcontext returns twice, and locals of a caller changed in between
// could be lost.
__attribute__((noinline)) inline void resetThread(Block& b, Thread& t) {
  getcontext(&t.ctx);
  t.ctx.uc_stack.ss_sp = t.stack.data();
  t.ctx.uc_stack.ss_size = t.stack.size();
  t.ctx.uc_link = &b.scheduler;
  makecontext(&t.ctx, threadEntry, 0);
  t.wait = Wait::kReady;
  t.shuffles = 0;
}
__attribute__((noinline)) inline void resumeThread(Block& b, int t) {
  b.current = t;
  swapcontext(&b.scheduler, &b.threads[t].ctx);
}

// Runs kernel(args...) over a grid of blocks of `shape` threads (a multiple of 32 in all, at most 1024; warps are
// consecutive threads, x fastest, as on the GPU), block after block. Variables declared __shared__ are function
// statics here, which is block-shared memory as long as blocks run one at a time.
template <typename Kernel, typename... Args>
void launchShared(dim3 grid, dim3 shape, size_t sharedBytes, Kernel kernel, Args... args) {
  const unsigned threads = shape.x * shape.y * shape.z;
  if (threads == 0 || threads % kLanes != 0 || threads > 1024)
    throw std::invalid_argument("cuda_emulator: 32..1024 threads per block, whole warps");
  Block b;
  block() = &b;
  b.body = [&] { kernel(args...); };
  b.threads = std::vector<Thread>(threads);
  b.slots.assign(static_cast<size_t>(threads) * 2, 0);
  b.votes.assign(static_cast<size_t>(threads) * 2, 0);
  gridDim = grid;
  blockDim = shape;
  const std::string where = "cuda_emulator: block ";
  const unsigned blocks = grid.x * grid.y * grid.z;
  for (unsigned bx = 0; bx < blocks; ++bx) {
    const uint3 at = make_uint3(bx % grid.x, bx / grid.x % grid.y, bx / grid.x / grid.y);
    for (Thread& t : b.threads) resetThread(b, t);
    b.shared.assign((sharedBytes + sizeof(float) - 1) / sizeof(float), NAN);  // unstaged reads show as NaN
    for (;;) {
      // One pass: every ready thread runs to its next shuffle, barrier or end.
      for (unsigned i = 0; i < threads; ++i) {
        if (b.threads[i].wait != Wait::kReady) continue;
        threadIdx = make_uint3(i % shape.x, i / shape.x % shape.y, i / shape.x / shape.y);
        blockIdx = at;
        resumeThread(b, static_cast<int>(i));
        // The other threads' frames are abandoned with their stacks: kernel locals need no destructors.
        if (b.error) std::rethrow_exception(b.error);
      }
      bool released = false, live = false, allAtBarrier = true;
      for (unsigned w = 0; w < threads; w += kLanes) {
        // A shuffle goes on once all 32 lanes of the warp have reached the same one.
        int atShuffle = 0;
        for (unsigned i = w; i < w + kLanes; ++i) {
          const Thread& t = b.threads[i];
          live = live || t.wait != Wait::kDone;
          allAtBarrier = allAtBarrier && (t.wait == Wait::kBarrier || t.wait == Wait::kDone);
          if (t.wait == Wait::kShuffle) {
            if (t.shuffles != b.threads[w].shuffles || b.threads[w].wait != Wait::kShuffle)
              throw std::logic_error(where + std::to_string(bx) + ", warp " + std::to_string(w / kLanes) +
                                     ": lanes at different shuffles");
            ++atShuffle;
          }
        }
        if (atShuffle == kLanes) {
          for (unsigned i = w; i < w + kLanes; ++i) b.threads[i].wait = Wait::kReady;
          released = true;
        } else if (atShuffle > 0) {
          throw std::logic_error(where + std::to_string(bx) + ", warp " + std::to_string(w / kLanes) +
                                 ": a shuffle that some lanes never reach (divergence)");
        }
      }
      if (!live) break;
      if (!released && allAtBarrier) {  // __syncthreads: every thread not yet ended has arrived
        for (Thread& t : b.threads)
          if (t.wait == Wait::kBarrier) t.wait = Wait::kReady;
        released = true;
      }
      if (!released) throw std::logic_error(where + std::to_string(bx) + ": threads wait on each other forever");
    }
    // Lanes of a warp must have passed the same number of shuffles.
    for (unsigned w = 0; w < threads; w += kLanes)
      for (unsigned i = w; i < w + kLanes; ++i)
        if (b.threads[i].shuffles != b.threads[w].shuffles)
          throw std::logic_error(where + std::to_string(bx) + ": lanes of a warp ended apart");
  }
  block() = nullptr;
}

// Without dynamic shared memory; one-dimensional grids and blocks.
template <typename Kernel, typename... Args>
void launch(dim3 grid, dim3 shape, Kernel kernel, Args... args) {
  launchShared(grid, shape, 0, kernel, args...);
}
template <typename Kernel, typename... Args>
void launch(unsigned blocks, unsigned threads, Kernel kernel, Args... args) {
  launchShared(dim3(blocks, 1, 1), dim3(threads, 1, 1), 0, kernel, args...);
}

}  // namespace cuda_emulator

inline void __syncthreads() { cuda_emulator::syncthreads(); }
inline int __syncthreads_or(int predicate) { return cuda_emulator::syncthreadsOr(predicate); }

template <typename T>
inline T __shfl_sync(unsigned mask, T v, int src) {
  return cuda_emulator::shuffle(mask, v, src);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask) {
  return cuda_emulator::shuffle(mask, v, static_cast<int>(threadIdx.x & 31) ^ laneMask);
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta) {
  const int lane = static_cast<int>(threadIdx.x & 31);
  return cuda_emulator::shuffle(mask, v, lane >= static_cast<int>(delta) ? lane - static_cast<int>(delta) : lane);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) { return cuda_emulator::ballot(mask, predicate); }

// Threads switch only at shuffles and barriers, so a plain read-modify-write is atomic here.
template <typename T>
inline T atomicAdd(T* p, T v) {
  const T old = *p;
  *p = old + v;
  return old;
}
