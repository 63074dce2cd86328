#pragma once
// What the CPU kernel checks share: failure reporting, comparing an output (poisoned with NaN before the launch)
// with a float64 reference, and the bilinear resize the image kernels are checked against.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace check {

inline int& failures() {
  static int n = 0;
  return n;
}

inline void fail(const std::string& what) {
  std::printf("FAIL %s\n", what.c_str());
  ++failures();
}

struct Comparison {
  bool written;     // no element left NaN
  double relative;  // L2 norm of the error over the reference's
  double rms;       // root mean square of the error
};

template <typename T>
Comparison compare(const std::vector<T>& out, const std::vector<double>& ref) {
  double err = 0, norm = 0;
  bool written = true;
  for (size_t i = 0; i < out.size(); ++i) {
    const double o = static_cast<float>(out[i]);
    written = written && std::isfinite(o);
    err += (o - ref[i]) * (o - ref[i]);
    norm += ref[i] * ref[i];
  }
  return {written, std::sqrt(err / norm), std::sqrt(err / static_cast<double>(out.size()))};
}

// Source index pair and the weight of the second for output position `dst` of `out` resized from `in`, PyTorch's
// rule for align_corners=False: the source coordinate (dst + 0.5) * in / out - 0.5, clamped at 0, its floor and the
// next index, both clamped into the input.
struct Tap {
  int i0, i1;
  double l1;
};
inline Tap tap(int dst, int in, int out) {
  const double src = std::max(0.0, (dst + 0.5) * in / out - 0.5);
  const int i0 = std::min(static_cast<int>(src), in - 1);
  return {i0, std::min(i0 + 1, in - 1), src - i0};
}

// The bilinear value at taps (y, x) of the input read by at(row, column), in PyTorch's order of operations.
template <typename At>
double bilinear(const Tap& y, const Tap& x, At at) {
  return (1 - y.l1) * ((1 - x.l1) * at(y.i0, x.i0) + x.l1 * at(y.i0, x.i1)) +
         y.l1 * ((1 - x.l1) * at(y.i1, x.i0) + x.l1 * at(y.i1, x.i1));
}

}  // namespace check
