// JS entries of the kernels. Each takes one options object; the TypeScript layer validates shapes and dtypes
// first, and these re-check what memory safety depends on (buffer sizes, liveness) before launching.
#include <napi.h>

#include <cstdint>
#include <string>

#include "device.h"
#include "errors.h"
#include "layernorm.h"
#include "msda.h"
#include "postprocess.h"
#include "preprocess.h"

namespace trtkit::addon {

namespace {

class Args {
 public:
  explicit Args(const Napi::CallbackInfo& info) : env_(info.Env()) {
    if (!info[0].IsObject()) throwKind(env_, "argument", "expected an options object");
    obj_ = info[0].As<Napi::Object>();
  }
  double num(const char* key) const {
    Napi::Value v = obj_.Get(key);
    if (!v.IsNumber()) throwKind(env_, "argument", std::string(key) + " must be a number");
    return v.As<Napi::Number>().DoubleValue();
  }
  int integer(const char* key, int lo, int hi = INT32_MAX) const {
    const double d = num(key);
    if (d != static_cast<double>(static_cast<long long>(d)) || d < lo || d > hi)
      throwKind(env_, "argument", std::string(key) + " must be an integer in [" + std::to_string(lo) + ", " +
                                      std::to_string(hi) + "]");
    return static_cast<int>(d);
  }
  bool flag(const char* key) const { return obj_.Get(key).ToBoolean().Value(); }
  DType dtype(const char* key = "dtype") const {
    const int d = integer(key, 0, 1);
    return static_cast<DType>(d);
  }
  size_t elemSize(DType d) const { return d == DType::kFloat16 ? 2 : 4; }
  template <typename T = void>
  T* buffer(const char* key, size_t bytes) const {
    return static_cast<T*>(DeviceBuffer::pointer(obj_.Get(key), bytes, key));
  }
  template <typename T = void>
  T* optionalBuffer(const char* key, size_t bytes) const {
    Napi::Value v = obj_.Get(key);
    if (v.IsUndefined() || v.IsNull()) return nullptr;
    return static_cast<T*>(DeviceBuffer::pointer(v, bytes, key));
  }
  cudaStream_t stream() const { return Stream::from(obj_.Get("stream")); }
  float floatArray(const char* key, int i) const {
    Napi::Value v = obj_.Get(key);
    if (!v.IsArray() || v.As<Napi::Array>().Length() <= static_cast<uint32_t>(i))
      throwKind(env_, "argument", std::string(key) + " must be an array of 3 numbers");
    Napi::Value e = v.As<Napi::Array>().Get(static_cast<uint32_t>(i));
    if (!e.IsNumber()) throwKind(env_, "argument", std::string(key) + " must hold numbers");
    return e.As<Napi::Number>().FloatValue();
  }

 private:
  Napi::Env env_;
  Napi::Object obj_;
};

// msdaForward({ dtype, batch, spatial, heads, channels, queries, levels, points, value, spatialShapes,
//               levelStartIndex, samplingLocations, attentionWeights, output, scalar?, stream? })
void MsdaForward(const Napi::CallbackInfo& info) {
  Args a(info);
  const DType dt = a.dtype();
  const size_t es = a.elemSize(dt);
  MsdaShape s{};
  s.batch = a.integer("batch", 0);
  s.spatial = a.integer("spatial", 0);
  s.heads = a.integer("heads", 1);
  s.channels = a.integer("channels", 1);
  s.queries = a.integer("queries", 0);
  s.levels = a.integer("levels", 1, kMsdaMaxLevels);
  s.points = a.integer("points", 1);
  const size_t pairs = static_cast<size_t>(s.batch) * s.queries * s.heads;
  const size_t lp = static_cast<size_t>(s.levels) * s.points;
  const void* value = a.buffer("value", static_cast<size_t>(s.batch) * s.spatial * s.heads * s.channels * es);
  const auto* shapes = a.buffer<const int32_t>("spatialShapes", s.levels * 2 * 4);
  const auto* starts = a.buffer<const int32_t>("levelStartIndex", s.levels * 4);
  const auto* loc = a.buffer<const float>("samplingLocations", pairs * lp * 2 * 4);
  const void* attn = a.buffer("attentionWeights", pairs * lp * es);
  void* out = a.buffer("output", pairs * s.channels * es);
  const cudaError_t err = a.flag("scalar") ? msdaForwardScalar(dt, s, value, shapes, starts, loc, attn, out, a.stream())
                                           : msdaForward(dt, s, value, shapes, starts, loc, attn, out, a.stream());
  check(info.Env(), err, "msdaForward");
}

// layerNorm({ dtype, rows, cols, eps, x, gamma?, beta?, y, stream? })
void LayerNorm(const Napi::CallbackInfo& info) {
  Args a(info);
  const DType dt = a.dtype();
  const size_t es = a.elemSize(dt);
  const double rows = a.num("rows");
  if (rows < 0 || rows != static_cast<double>(static_cast<int64_t>(rows)))
    throwKind(info.Env(), "argument", "rows must be a non-negative integer");
  const int cols = a.integer("cols", 1);
  const size_t bytes = static_cast<size_t>(rows) * cols * es;
  const void* x = a.buffer("x", bytes);
  const void* g = a.optionalBuffer("gamma", cols * es);
  const void* b = a.optionalBuffer("beta", cols * es);
  void* y = a.buffer("y", bytes);
  check(info.Env(),
        layerNorm(dt, static_cast<int64_t>(rows), cols, x, g, b, static_cast<float>(a.num("eps")), y, a.stream()),
        "layerNorm");
}

// preprocessImage({ dtype, srcH, srcW, srcRowStride, resizeH, resizeW, outH, outW, batch, batchIndex,
//                   mean: [3], std: [3], padValue, src, out, stream? })
void PreprocessImage(const Napi::CallbackInfo& info) {
  Args a(info);
  const DType dt = a.dtype();
  PreprocessParams p{};
  p.srcH = a.integer("srcH", 1);
  p.srcW = a.integer("srcW", 1);
  p.srcRowStride = a.integer("srcRowStride", 1);
  p.resizeH = a.integer("resizeH", 1);
  p.resizeW = a.integer("resizeW", 1);
  p.outH = a.integer("outH", 1, 65535);
  p.outW = a.integer("outW", 1);
  const int batch = a.integer("batch", 1);
  p.batchIndex = a.integer("batchIndex", 0, batch - 1);
  for (int c = 0; c < 3; ++c) {
    p.mean[c] = a.floatArray("mean", c);
    p.std[c] = a.floatArray("std", c);
  }
  p.padValue = static_cast<float>(a.num("padValue"));
  const auto* src = a.buffer<const uint8_t>("src", static_cast<size_t>(p.srcRowStride) * (p.srcH - 1) + p.srcW * 3);
  void* out = a.buffer("out", static_cast<size_t>(batch) * 3 * p.outH * p.outW * a.elemSize(dt));
  check(info.Env(), preprocessImage(dt, p, src, out, a.stream()), "preprocessImage");
}

// detrDecodeSoftmax({ dtype, batch, queries, classes (incl. no-object), logits, boxes, imageSizes,
//                     scores, labels, boxesOut, stream? })
void DetrDecodeSoftmax(const Napi::CallbackInfo& info) {
  Args a(info);
  const DType dt = a.dtype();
  const size_t es = a.elemSize(dt);
  const int n = a.integer("batch", 0), q = a.integer("queries", 0), c = a.integer("classes", 2);
  const size_t nq = static_cast<size_t>(n) * q;
  check(info.Env(),
        detrDecodeSoftmax(dt, n, q, c, a.buffer("logits", nq * c * es), a.buffer("boxes", nq * 4 * es),
                          a.buffer<const int32_t>("imageSizes", n * 2 * 4), a.buffer<float>("scores", nq * 4),
                          a.buffer<int32_t>("labels", nq * 4), a.buffer<float>("boxesOut", nq * 16), a.stream()),
        "detrDecodeSoftmax");
}

// detrDecodeSigmoidTopK({ dtype, batch, queries, classes, k, logits, boxes, imageSizes, scores, labels,
//                         boxesOut, stream? })
void DetrDecodeSigmoidTopK(const Napi::CallbackInfo& info) {
  Args a(info);
  const DType dt = a.dtype();
  const size_t es = a.elemSize(dt);
  const int n = a.integer("batch", 0), q = a.integer("queries", 1), c = a.integer("classes", 1);
  const int k = a.integer("k", 1, kTopKMax);
  const size_t nq = static_cast<size_t>(n) * q, nk = static_cast<size_t>(n) * k;
  check(info.Env(),
        detrDecodeSigmoidTopK(dt, n, q, c, k, a.buffer("logits", nq * c * es), a.buffer("boxes", nq * 4 * es),
                              a.buffer<const int32_t>("imageSizes", n * 2 * 4), a.buffer<float>("scores", nk * 4),
                              a.buffer<int32_t>("labels", nk * 4), a.buffer<float>("boxesOut", nk * 16),
                              a.stream()),
        "detrDecodeSigmoidTopK");
}

// upsampleArgmax({ dtype, batch, classes, inH, inW, outH, outW, uint8, logits, classMap, stream? })
void UpsampleArgmax(const Napi::CallbackInfo& info) {
  Args a(info);
  const DType dt = a.dtype();
  const int n = a.integer("batch", 0, 65535), c = a.integer("classes", 1), ih = a.integer("inH", 1),
            iw = a.integer("inW", 1), oh = a.integer("outH", 1, 65535), ow = a.integer("outW", 1);
  const bool u8 = a.flag("uint8");
  const void* logits = a.buffer("logits", static_cast<size_t>(n) * c * ih * iw * a.elemSize(dt));
  void* out = a.buffer("classMap", static_cast<size_t>(n) * oh * ow * (u8 ? 1 : 4));
  check(info.Env(), upsampleArgmax(dt, n, c, ih, iw, oh, ow, logits, out, u8, a.stream()), "upsampleArgmax");
}

}  // namespace

void registerKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("msdaForward", Napi::Function::New(env, MsdaForward));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("preprocessImage", Napi::Function::New(env, PreprocessImage));
  exports.Set("detrDecodeSoftmax", Napi::Function::New(env, DetrDecodeSoftmax));
  exports.Set("detrDecodeSigmoidTopK", Napi::Function::New(env, DetrDecodeSigmoidTopK));
  exports.Set("upsampleArgmax", Napi::Function::New(env, UpsampleArgmax));
}

}  // namespace trtkit::addon
