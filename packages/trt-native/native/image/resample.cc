#include "resample.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

// The hot loops are plain C++ the compiler vectorises; on x86-64 Linux each also gets an AVX2 clone picked at load
// time (ifunc), so one binary runs on any x86-64 and uses 256-bit vectors where the CPU has them.
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define TRTKIT_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TRTKIT_CLONES
#endif

namespace trtkit::image {
namespace {

inline uint8_t clampShift(int32_t v, int precision) {
  v >>= precision;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// acc[i] += a[i] * ka + b[i] * kb: two taps per sweep halves the accumulator traffic.
TRTKIT_CLONES
void accumulate2(int32_t* __restrict acc, const uint8_t* __restrict a, int32_t ka, const uint8_t* __restrict b,
                 int32_t kb, int n) {
  for (int i = 0; i < n; i++) acc[i] += a[i] * ka + b[i] * kb;
}

TRTKIT_CLONES
void accumulate1(int32_t* __restrict acc, const uint8_t* __restrict a, int32_t ka, int n) {
  for (int i = 0; i < n; i++) acc[i] += a[i] * ka;
}

TRTKIT_CLONES
void narrow(const int32_t* __restrict acc, uint8_t* __restrict out, int precision, int n) {
  for (int i = 0; i < n; i++) {
    int32_t v = acc[i] >> precision;
    out[i] = static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
  }
}

// Interleaved RGB levels (the chunk of row y starting at pixel x0) to three float planes through the tables.
void emitPlanes(const int32_t* acc, int x0, int count, int precision, const RowSink& sink, int y) {
  float* p0 = sink.planes + y * sink.rowPitch + x0;
  float* p1 = p0 + sink.planeSize;
  float* p2 = p1 + sink.planeSize;
  const float* t0 = sink.tables;
  const float* t1 = t0 + 256;
  const float* t2 = t1 + 256;
  for (int x = 0; x < count; x++) {
    p0[x] = t0[clampShift(acc[3 * x], precision)];
    p1[x] = t1[clampShift(acc[3 * x + 1], precision)];
    p2[x] = t2[clampShift(acc[3 * x + 2], precision)];
  }
}

// Per-thread scratch reused from call to call: a resize then touches no fresh pages (each new multi-megabyte
// buffer would otherwise cost a page fault per 4 KiB, about as much as the arithmetic). Kept only up to kKeepBytes
// per buffer, so one huge photo does not pin its buffers in every pool thread for the life of the process.
constexpr size_t kKeepBytes = size_t{16} << 20;

template <typename T>
T* scratch(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

template <typename T>
void trim(std::vector<T>& v) {
  if (v.capacity() * sizeof(T) > kKeepBytes) std::vector<T>().swap(v);
}

// Accumulators of one chunk stay in L1 together with the chunk of each input row; a whole number of pixels (the
// plane emitter splits chunks into pixels) and of 8-lane vectors.
constexpr int kChunk = 3 * 8 * 85;

// One pass along the row axis: output row o is the weighted sum of stored rows start[o] .. start[o] + count[o] - 1,
// all `rowLen` bytes at once (this is the form that vectorises; the other axis is reached by transposing).
template <typename Emit>
void combineRows(const RgbView& src, const AxisTaps& t, Emit emit) {
  const int rowLen = src.width * 3;
  const int32_t half = t.precision > 0 ? (1 << (t.precision - 1)) : 0;
  alignas(64) int32_t acc[kChunk];
  for (int o = 0; o < t.outSize; o++) {
    const int32_t* w = t.weights + static_cast<std::ptrdiff_t>(o) * t.ksize;
    const uint8_t* base = src.data + static_cast<std::ptrdiff_t>(t.start[o]) * src.stride;
    const int n = t.count[o];
    for (int c0 = 0; c0 < rowLen; c0 += kChunk) {
      const int len = std::min(kChunk, rowLen - c0);
      std::fill(acc, acc + len, half);
      const uint8_t* b = base + c0;
      int j = 0;
      for (; j + 1 < n; j += 2) accumulate2(acc, b + j * src.stride, w[j], b + (j + 1) * src.stride, w[j + 1], len);
      if (j < n) accumulate1(acc, b + j * src.stride, w[j], len);
      emit(o, c0, len, acc);
    }
  }
}

// A pass into an 8-bit buffer (rows: outputs).
void combineToBuffer(const RgbView& src, const AxisTaps& t, uint8_t* out) {
  const std::ptrdiff_t rowLen = static_cast<std::ptrdiff_t>(src.width) * 3;
  combineRows(src, t, [&](int o, int c0, int len, const int32_t* a) { narrow(a, out + o * rowLen + c0, t.precision, len); });
}

constexpr int kTile = 16;

}  // namespace

void transposeRgb(const RgbView& src, uint8_t* dst, std::ptrdiff_t dstStride) {
  // Tiles keep both the reads and the writes of one block in cache.
  for (int r0 = 0; r0 < src.height; r0 += kTile) {
    const int r1 = std::min(r0 + kTile, src.height);
    for (int c0 = 0; c0 < src.width; c0 += kTile) {
      const int c1 = std::min(c0 + kTile, src.width);
      for (int c = c0; c < c1; c++) {
        uint8_t* d = dst + c * dstStride + r0 * 3;
        const uint8_t* s = src.data + r0 * src.stride + c * 3;
        for (int r = r0; r < r1; r++, d += 3, s += src.stride) {
          d[0] = s[0];
          d[1] = s[1];
          d[2] = s[2];
        }
      }
    }
  }
}

void orient(const RgbView& src, int orientation, uint8_t* dst) {
  const bool transposed = orientation >= 5 && orientation <= 8;
  const int outW = transposed ? src.height : src.width;
  const int outH = transposed ? src.width : src.height;
  // The stored pixel behind displayed (x, y): stored column / row as a start and a step along x and y.
  // 2, 3, 7: x or y runs backwards along the stored columns; 3, 4, 6, 7: along the stored rows.
  const bool flipCols = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
  const bool flipRows = orientation == 3 || orientation == 4 || orientation == 6 || orientation == 7;
  const std::ptrdiff_t colStep = flipCols ? -3 : 3;
  const std::ptrdiff_t rowStep = flipRows ? -src.stride : src.stride;
  const uint8_t* origin = src.data + (flipCols ? (src.width - 1) * 3 : 0) + (flipRows ? (src.height - 1) * src.stride : 0);
  const std::ptrdiff_t stepX = transposed ? rowStep : colStep;
  const std::ptrdiff_t stepY = transposed ? colStep : rowStep;
  for (int y0 = 0; y0 < outH; y0 += kTile) {
    const int y1 = std::min(y0 + kTile, outH);
    for (int x0 = 0; x0 < outW; x0 += kTile) {
      const int x1 = std::min(x0 + kTile, outW);
      for (int y = y0; y < y1; y++) {
        uint8_t* d = dst + (static_cast<std::ptrdiff_t>(y) * outW + x0) * 3;
        const uint8_t* s = origin + y * stepY + x0 * stepX;
        for (int x = x0; x < x1; x++, d += 3, s += stepX) {
          d[0] = s[0];
          d[1] = s[1];
          d[2] = s[2];
        }
      }
    }
  }
}

namespace {

// Output rows o0 .. o1 - 1 of an axis, as an axis of their own.
AxisTaps slice(const AxisTaps& t, int o0, int o1) {
  return {t.start + o0, t.count + o0, t.weights + static_cast<std::ptrdiff_t>(o0) * t.ksize, t.ksize, t.precision,
          o1 - o0};
}

// Runs f(begin, end) over [0, n) split into `threads` contiguous parts, the calling thread taking the first.
// Parts write disjoint rows, so they need nothing but the join.
template <typename F>
void parallelFor(int threads, int n, F f) {
  threads = std::max(1, std::min(threads, n));
  if (threads == 1) {
    f(0, n);
    return;
  }
  const auto part = [&](int k) { return static_cast<int>(int64_t{n} * k / threads); };
  std::vector<std::thread> workers;
  workers.reserve(threads - 1);
  try {
    for (int k = 1; k < threads; k++) workers.emplace_back(f, part(k), part(k + 1));
  } catch (const std::system_error&) {
    // No more threads to be had (process limits): the parts not started run here instead.
  }
  for (int k = static_cast<int>(workers.size()) + 1; k < threads; k++) f(part(k), part(k + 1));
  f(0, part(1));
  for (auto& w : workers) w.join();
}

// Transposes rows r0 .. r1 - 1 of src into columns r0 .. r1 - 1 of dst.
void transposeRows(const RgbView& src, uint8_t* dst, std::ptrdiff_t dstStride, int r0, int r1) {
  const RgbView part = {src.data + r0 * src.stride, src.width, r1 - r0, src.stride};
  transposeRgb(part, dst + static_cast<std::ptrdiff_t>(r0) * 3, dstStride);
}

}  // namespace

void resizeOriented(const RgbView& src, bool xAlongRows, const AxisTaps& tx, const AxisTaps& ty, const RowSink& sink,
                    int threads) {
  // The job's thread owns the work buffers; helper threads write disjoint rows of them.
  thread_local std::vector<uint8_t> transposedBuf, pass1Buf, yRowsBuf;
  // Pass 1 (x) combines rows of a buffer whose rows run along x: the stored image itself for orientations 5-8,
  // its transpose otherwise.
  RgbView xRows = src;
  if (!xAlongRows) {
    uint8_t* t = scratch(transposedBuf, static_cast<size_t>(src.width) * src.height * 3);
    const std::ptrdiff_t stride = static_cast<std::ptrdiff_t>(src.height) * 3;
    parallelFor(threads, src.height, [&](int r0, int r1) { transposeRows(src, t, stride, r0, r1); });
    xRows = {t, src.height, src.width, stride};
  }
  const int ySize = xRows.width;  // pixels along y, in stored order
  const int width = tx.outSize;
  const std::ptrdiff_t p1Stride = static_cast<std::ptrdiff_t>(ySize) * 3;
  uint8_t* pass1 = scratch(pass1Buf, static_cast<size_t>(ySize) * width * 3);
  parallelFor(threads, width, [&](int o0, int o1) {  // rows: output x
    combineToBuffer(xRows, slice(tx, o0, o1), pass1 + o0 * p1Stride);
  });
  // Pass 2 (y) needs rows along y: transpose the (smaller) intermediate.
  const RgbView p1 = {pass1, ySize, width, p1Stride};
  const std::ptrdiff_t yStride = static_cast<std::ptrdiff_t>(width) * 3;
  uint8_t* yRows = scratch(yRowsBuf, static_cast<size_t>(ySize) * width * 3);
  parallelFor(threads, width, [&](int r0, int r1) { transposeRows(p1, yRows, yStride, r0, r1); });
  const RgbView yView = {yRows, width, ySize, yStride};
  parallelFor(threads, ty.outSize, [&](int y0, int y1) {
    combineRows(yView, slice(ty, y0, y1), [&](int y, int c0, int len, const int32_t* a) {
      if (sink.planes) {
        emitPlanes(a, c0 / 3, len / 3, ty.precision, sink, y0 + y);
      } else {
        narrow(a, sink.rgb + static_cast<std::ptrdiff_t>(y0 + y) * width * 3 + c0, ty.precision, len);
      }
    });
  });
  trim(transposedBuf);
  trim(pass1Buf);
  trim(yRowsBuf);
}

}  // namespace trtkit::image
