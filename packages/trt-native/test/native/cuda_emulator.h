#pragma once
// Runs CUDA kernels on the CPU, for tests on machines without a GPU. Include it before the kernel headers and
// compile as host C++ with the CUDA headers on the include path and strict aliasing off (`nvcc -x c++ -Xcompiler
// -fno-strict-aliasing`: kernels read 16-byte vectors through __half2 pointers, which device compilers allow and
// optimising host compilers do not): the CUDA keywords become nothing, and each warp runs as 32 fibers on one thread, switched at every warp shuffle, so shuffles see what
// the other lanes hold at the same point of the program, as on the GPU. Covers what the wide MSDA kernels use:
// thread and block indices, __ldg, full-warp __shfl_sync / __shfl_xor_sync, the fp16 conversions of
// cuda_fp16.h. Not covered: shared memory and __syncthreads, atomics, partial warp masks. A shuffle that some
// lanes of a warp do not reach (divergence) is reported as an error, where a GPU would give undefined results.
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

#undef __global__
#undef __device__
#undef __forceinline__
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)

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

inline float __uint_as_float(unsigned int u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

namespace cuda_emulator {

constexpr int kLanes = 32;
constexpr size_t kStack = 256 * 1024;

struct Lane {
  ucontext_t ctx;
  std::vector<char> stack = std::vector<char>(kStack);
  bool done = false;
  unsigned long long shuffles = 0;  // how many this lane has reached
};

struct Warp {
  ucontext_t scheduler;
  Lane lanes[kLanes];
  uint32_t slots[2][kLanes];  // two banks: a lane may reach shuffle k + 1 while others still read shuffle k
  int current = 0;
  std::function<void()> body;
  std::exception_ptr error;  // thrown in a lane; the launch rethrows it
};

inline Warp*& warp() {
  static Warp* w = nullptr;
  return w;
}

inline void laneEntry() {
  Warp& w = *warp();
  try {
    w.body();
  } catch (...) {
    w.error = std::current_exception();  // exceptions cannot cross the fiber's first frame
  }
  w.lanes[w.current].done = true;  // returning resumes the scheduler (uc_link)
}

// Lane `current` offers v, waits until every lane of the warp has offered its own, then reads lane src's.
template <typename T>
T shuffle(unsigned mask, T v, int src) {
  static_assert(sizeof(T) == 4, "32-bit shuffles only");
  if (mask != 0xffffffffu) throw std::logic_error("cuda_emulator: partial warp masks are not emulated");
  Warp& w = *warp();
  const int lane = w.current;
  Lane& me = w.lanes[lane];
  const int bank = static_cast<int>(me.shuffles & 1);
  std::memcpy(&w.slots[bank][lane], &v, 4);
  ++me.shuffles;
  swapcontext(&me.ctx, &w.scheduler);
  T out;
  std::memcpy(&out, &w.slots[bank][src & (kLanes - 1)], 4);
  return out;
}

// Context calls live in their own frames: getcontext returns twice, and locals of a caller changed in between
// could be lost.
__attribute__((noinline)) inline void resetLane(Warp& w, Lane& l) {
  getcontext(&l.ctx);
  l.ctx.uc_stack.ss_sp = l.stack.data();
  l.ctx.uc_stack.ss_size = l.stack.size();
  l.ctx.uc_link = &w.scheduler;
  makecontext(&l.ctx, laneEntry, 0);
  l.done = false;
  l.shuffles = 0;
}
__attribute__((noinline)) inline void resumeLane(Warp& w, int lane) {
  w.current = lane;
  swapcontext(&w.scheduler, &w.lanes[lane].ctx);
}

// Runs kernel(args...) over `blocks` blocks of `threads` threads (a multiple of 32), warp after warp.
template <typename Kernel, typename... Args>
void launch(unsigned blocks, unsigned threads, Kernel kernel, Args... args) {
  if (threads == 0 || threads % kLanes != 0) throw std::invalid_argument("cuda_emulator: whole warps only");
  Warp w;
  warp() = &w;
  w.body = [&] { kernel(args...); };
  gridDim = dim3(blocks, 1, 1);
  blockDim = dim3(threads, 1, 1);
  for (unsigned b = 0; b < blocks; ++b) {
    for (unsigned first = 0; first < threads; first += kLanes) {
      for (Lane& l : w.lanes) resetLane(w, l);
      for (;;) {
        // One pass: every live lane runs to its next shuffle or to its end.
        for (int i = 0; i < kLanes; ++i) {
          if (w.lanes[i].done) continue;
          threadIdx = make_uint3(first + i, 0, 0);
          blockIdx = make_uint3(b, 0, 0);
          resumeLane(w, i);
          // The other lanes' frames are abandoned with their stacks: kernel locals need no destructors.
          if (w.error) std::rethrow_exception(w.error);
        }
        int live = 0;
        for (const Lane& l : w.lanes) live += l.done ? 0 : 1;
        if (live == 0) break;
        // Lanes still running all stopped at a shuffle: every lane must have reached the same one.
        for (const Lane& l : w.lanes) {
          if (l.done || l.shuffles != w.lanes[0].shuffles)
            throw std::logic_error("cuda_emulator: warp diverged at a shuffle (block " + std::to_string(b) +
                                   ", warp " + std::to_string(first / kLanes) + ")");
        }
      }
      // Lanes that finished must have passed the same number of shuffles.
      for (const Lane& l : w.lanes)
        if (l.shuffles != w.lanes[0].shuffles) throw std::logic_error("cuda_emulator: lanes ended apart");
    }
  }
  warp() = nullptr;
}

}  // namespace cuda_emulator

template <typename T>
inline T __shfl_sync(unsigned mask, T v, int src) {
  return cuda_emulator::shuffle(mask, v, src);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask) {
  return cuda_emulator::shuffle(mask, v, static_cast<int>(threadIdx.x & 31) ^ laneMask);
}
