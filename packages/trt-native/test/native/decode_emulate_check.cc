// Runs the DETR decoding kernels (native/cuda/detr_decode_kernels.cuh: softmax per query, sigmoid + top-k per image)
// on the CPU through the emulator (cuda_emulator.h), run by kernels-cpu.test.ts. Outputs are poisoned first and must be
// fully written. Softmax: each query's label is the first maximum over the real classes (the no-object class
// excluded), its score the float64 softmax probability within 1e-4 relative. Top-k: the k (flat index, score) pairs
// in order of score, ties by lower index, exactly as a float64 sort gives them, including logits with many exact
// ties; scores within 1e-4 relative. Boxes: (cx, cy, w, h) in 0..1 to corner pixels of each image's size, within
// 1e-4 relative. Prints "ok <runs> <values compared>" or the first failures, and exits non-zero on failure.
#include "cuda_emulator.h"
// The emulator must come first.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "check_util.h"
#include "detr_decode_kernels.cuh"

namespace decode = trtkit::decode;
using check::fail;

namespace {

// |got - want| within 1e-4 of |want| (or 1e-4 absolute near zero).
bool near(double got, double want) { return std::abs(got - want) <= 1e-4 * std::max(1.0, std::abs(want)); }

template <typename T>
struct Inputs {
  std::vector<T> logits, boxes;
  std::vector<double> logit, box;  // the same values, widened
  std::vector<int32_t> sizes;
};

// Logits from N(0, 2), or from a few integers (many exact ties); boxes inside the image.
template <typename T>
Inputs<T> inputs(int batch, int queries, int classes, bool ties, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 2.f);
  std::uniform_real_distribution<float> unit(0.05f, 0.95f);
  Inputs<T> in;
  const size_t nl = static_cast<size_t>(batch) * queries * classes, nb = static_cast<size_t>(batch) * queries * 4;
  for (size_t i = 0; i < nl; ++i) {
    const float v = ties ? static_cast<float>(static_cast<int>(rng() % 7) - 3) : normal(rng);
    in.logits.push_back(static_cast<T>(v));
    in.logit.push_back(static_cast<float>(in.logits.back()));
  }
  for (size_t i = 0; i < nb; ++i) {
    in.boxes.push_back(static_cast<T>(unit(rng) * (i % 4 < 2 ? 1.f : 0.5f)));
    in.box.push_back(static_cast<float>(in.boxes.back()));
  }
  for (int n = 0; n < batch; ++n) {
    in.sizes.push_back(200 + 37 * n);  // H
    in.sizes.push_back(300 - 11 * n);  // W
  }
  return in;
}

// The corner box of box b in image n.
void corners(const std::vector<double>& box, size_t b, const std::vector<int32_t>& sizes, int n, double* out) {
  const double cx = box[b * 4], cy = box[b * 4 + 1], w = box[b * 4 + 2], h = box[b * 4 + 3];
  const double H = sizes[2 * n], W = sizes[2 * n + 1];
  out[0] = (cx - w / 2) * W;
  out[1] = (cy - h / 2) * H;
  out[2] = (cx + w / 2) * W;
  out[3] = (cy + h / 2) * H;
}

template <typename T>
long long softmaxCase(int batch, int queries, int cp1, bool ties, unsigned seed) {
  const Inputs<T> in = inputs<T>(batch, queries, cp1, ties, seed);
  const size_t nq = static_cast<size_t>(batch) * queries;
  std::vector<float> scores(nq, NAN), boxes(nq * 4, NAN);
  std::vector<int32_t> labels(nq, -1);
  const std::string name = std::string(sizeof(T) == 2 ? "fp16" : "fp32") + " softmax " + std::to_string(batch) +
                           " x " + std::to_string(queries) + " queries x " + std::to_string(cp1) + " classes" +
                           (ties ? " (ties)" : "");
  try {
    cuda_emulator::launch(static_cast<unsigned>((nq * 32 + 255) / 256), 256, decode::softmaxDecodeKernel<T>, batch,
                          queries, cp1, in.logits.data(), in.boxes.data(), in.sizes.data(), scores.data(),
                          labels.data(), boxes.data());
  } catch (const std::exception& e) {
    fail(name + ": " + e.what());
    return 0;
  }
  int bad = 0;
  for (size_t q = 0; q < nq && bad < 3; ++q) {
    const double* l = &in.logit[q * cp1];
    const double mx = *std::max_element(l, l + cp1);
    double sum = 0;
    for (int c = 0; c < cp1; ++c) sum += std::exp(l[c] - mx);
    const int best = static_cast<int>(std::max_element(l, l + cp1 - 1) - l);  // first maximum
    double want[4];
    corners(in.box, q, in.sizes, static_cast<int>(q / queries), want);
    bool ok = labels[q] == best && near(scores[q], std::exp(l[best] - mx) / sum);
    for (int j = 0; j < 4; ++j) ok = ok && near(boxes[q * 4 + j], want[j]);
    if (!ok) {
      fail(name + ": query " + std::to_string(q) + " label " + std::to_string(labels[q]) + " (reference " +
           std::to_string(best) + "), score " + std::to_string(scores[q]));
      ++bad;
    }
  }
  return static_cast<long long>(nq) * 6;
}

template <typename T>
long long topKCase(int batch, int queries, int classes, int k, bool ties, unsigned seed) {
  const Inputs<T> in = inputs<T>(batch, queries, classes, ties, seed);
  const size_t nk = static_cast<size_t>(batch) * k;
  std::vector<float> scores(nk, NAN), boxes(nk * 4, NAN);
  std::vector<int32_t> labels(nk, -1);
  const std::string name = std::string(sizeof(T) == 2 ? "fp16" : "fp32") + " top-" + std::to_string(k) + " of " +
                           std::to_string(batch) + " x " + std::to_string(queries) + " x " + std::to_string(classes) +
                           (ties ? " (ties)" : "");
  try {
    cuda_emulator::launch(static_cast<unsigned>(batch), decode::kTopKThreads, decode::sigmoidTopKKernel<T>, queries,
                          classes, k, in.logits.data(), in.boxes.data(), in.sizes.data(), scores.data(),
                          labels.data(), boxes.data());
  } catch (const std::exception& e) {
    fail(name + ": " + e.what());
    return 0;
  }
  const int total = queries * classes;
  int bad = 0;
  for (int n = 0; n < batch && bad < 3; ++n) {
    const double* l = &in.logit[static_cast<size_t>(n) * total];
    std::vector<int> order(total);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return l[a] > l[b]; });  // ties: lower index
    for (int r = 0; r < k && bad < 3; ++r) {
      const size_t o = static_cast<size_t>(n) * k + r;
      const int idx = order[r], q = idx / classes;
      double want[4];
      corners(in.box, static_cast<size_t>(n) * queries + q, in.sizes, n, want);
      bool ok = labels[o] == idx % classes && near(scores[o], 1 / (1 + std::exp(-l[idx])));
      for (int j = 0; j < 4; ++j) ok = ok && near(boxes[o * 4 + j], want[j]);
      if (!ok) {
        fail(name + ": image " + std::to_string(n) + " rank " + std::to_string(r) + " label " +
             std::to_string(labels[o]) + " (reference " + std::to_string(idx % classes) + " of query " +
             std::to_string(q) + ")");
        ++bad;
      }
    }
  }
  return static_cast<long long>(nk) * 6;
}

}  // namespace

int main() {
  int runs = 0;
  long long values = 0;
  unsigned seed = 20261123;
  // Softmax: DETR's 92 classes, fewer classes than lanes, more than two rounds of lanes, a partial last block.
  const int softmax[][3] = {{2, 100, 92}, {1, 9, 2}, {3, 13, 70}};
  for (const auto& s : softmax)
    for (bool ties : {false, true}) {
      values += softmaxCase<float>(s[0], s[1], s[2], ties, seed++);
      values += softmaxCase<__half>(s[0], s[1], s[2], ties, seed++);
      runs += 2;
    }
  // Top-k: Deformable DETR's 300 x 91 -> 100, k = 1, k = the whole input, k = 1024 (the most), a batch of three.
  const int topk[][4] = {{1, 300, 91, 100}, {3, 7, 5, 1}, {1, 5, 7, 35}, {1, 40, 30, 1024}};
  for (const auto& t : topk)
    for (bool ties : {false, true}) {
      values += topKCase<float>(t[0], t[1], t[2], t[3], ties, seed++);
      values += topKCase<__half>(t[0], t[1], t[2], t[3], ties, seed++);
      runs += 2;
    }
  if (check::failures()) return 1;
  std::printf("ok %d %lld\n", runs, values);
  return 0;
}
