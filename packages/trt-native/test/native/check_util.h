#pragma once
// What the CPU kernel checks share: failure reporting, and comparing an output (poisoned with NaN before the
// launch) with a float64 reference.
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

}  // namespace check
