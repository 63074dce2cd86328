// The CPU image addon (trtkit_image.node): resize / orient 8-bit RGB off the JS thread. Every argument is checked
// here, before any work is queued, so a wrong call is a thrown TypeError / RangeError, never a bad memory access.
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "resample.h"

namespace {

using trtkit::image::AxisTaps;
using trtkit::image::RgbView;
using trtkit::image::RowSink;

[[noreturn]] void fail(Napi::Env env, const std::string& what) { throw Napi::RangeError::New(env, what); }

template <typename T, napi_typedarray_type Kind>
T* typed(Napi::Env env, const Napi::Object& o, const char* key, size_t minLength, Napi::ObjectReference& keep) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != Kind) {
    throw Napi::TypeError::New(env, std::string(key) + " must be a " +
                                        (Kind == napi_uint8_array     ? "Uint8Array"
                                         : Kind == napi_int32_array   ? "Int32Array"
                                         : Kind == napi_bigint64_array ? "BigInt64Array"
                                                                      : "Float32Array"));
  }
  auto arr = v.template As<Napi::TypedArrayOf<T>>();
  if (arr.ElementLength() < minLength) {
    fail(env, std::string(key) + " holds " + std::to_string(arr.ElementLength()) + " values, needs " +
                  std::to_string(minLength));
  }
  keep = Napi::Persistent(arr.template As<Napi::Object>());
  return arr.Data();
}

int integer(Napi::Env env, const Napi::Object& o, const char* key, int lo, int hi) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(key) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d)) || d < lo || d > hi) {
    fail(env, std::string(key) + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                  ", got " + std::to_string(d));
  }
  return static_cast<int>(d);
}

constexpr int kMaxSide = 1 << 16;

// Taps are copied out of the JS arrays once checked: JS could rewrite an array while the job runs, and a start
// index changed after the check must not move a read outside the image.
struct Axis {
  AxisTaps taps{};
  std::vector<int32_t> start, count, weights;
};

// Taps of one axis over `inSize` stored pixels: every read stays inside, sums stay inside int32.
void readAxis(Napi::Env env, const Napi::Object& args, const char* key, int inSize, Axis& axis) {
  Napi::Value v = args.Get(key);
  if (!v.IsObject()) throw Napi::TypeError::New(env, std::string(key) + " must be an object of filter taps");
  Napi::Object o = v.As<Napi::Object>();
  AxisTaps& t = axis.taps;
  t.outSize = integer(env, o, "size", 1, kMaxSide);
  t.ksize = integer(env, o, "ksize", 1, 4 * kMaxSide);
  t.precision = integer(env, o, "precision", 0, 22);
  Napi::ObjectReference keep;
  const size_t nw = static_cast<size_t>(t.outSize) * t.ksize;
  const int32_t* start = typed<int32_t, napi_int32_array>(env, o, "start", t.outSize, keep);
  axis.start.assign(start, start + t.outSize);
  const int32_t* count = typed<int32_t, napi_int32_array>(env, o, "count", t.outSize, keep);
  axis.count.assign(count, count + t.outSize);
  const int32_t* weights = typed<int32_t, napi_int32_array>(env, o, "weights", nw, keep);
  axis.weights.assign(weights, weights + nw);
  t.start = axis.start.data();
  t.count = axis.count.data();
  t.weights = axis.weights.data();
  const int64_t limit = (int64_t{1} << 31) / 256;  // 255 * sum|w| + rounding stays below 2**31
  for (int i = 0; i < t.outSize; i++) {
    if (t.start[i] < 0 || t.count[i] < 0 || t.count[i] > t.ksize || t.start[i] > inSize - t.count[i]) {
      fail(env, std::string(key) + " taps of output " + std::to_string(i) + " read outside the " +
                    std::to_string(inSize) + " input pixels");
    }
    int64_t sum = 0;
    for (int j = 0; j < t.count[i]; j++) sum += t.weights[static_cast<int64_t>(i) * t.ksize + j] < 0
                                                    ? -int64_t{t.weights[static_cast<int64_t>(i) * t.ksize + j]}
                                                    : t.weights[static_cast<int64_t>(i) * t.ksize + j];
    if (sum >= limit) fail(env, std::string(key) + " weights of output " + std::to_string(i) + " are too large");
  }
}

RgbView readSource(Napi::Env env, const Napi::Object& args, Napi::ObjectReference& keep) {
  RgbView src{};
  src.width = integer(env, args, "width", 1, kMaxSide);
  src.height = integer(env, args, "height", 1, kMaxSide);
  src.stride = static_cast<std::ptrdiff_t>(src.width) * 3;
  src.data = typed<uint8_t, napi_uint8_array>(env, args, "src", static_cast<size_t>(src.stride) * src.height, keep);
  return src;
}

class Job : public Napi::AsyncWorker {
 public:
  explicit Job(Napi::Env env, const char* name) : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 protected:
  Napi::Promise::Deferred deferred_;
};

class ResizeJob : public Job {
 public:
  ResizeJob(Napi::Env env, const Napi::Object& args) : Job(env, "trtkit:resize") {
    src_ = readSource(env, args, keepSrc_);
    Napi::Value along = args.Get("xAlongRows");
    if (!along.IsBoolean()) throw Napi::TypeError::New(env, "xAlongRows must be a boolean");
    xAlongRows_ = along.As<Napi::Boolean>().Value();
    readAxis(env, args, "x", xAlongRows_ ? src_.height : src_.width, x_);
    readAxis(env, args, "y", xAlongRows_ ? src_.width : src_.height, y_);
    if (!args.Get("threads").IsUndefined()) threads_ = integer(env, args, "threads", 1, 64);
    const int64_t outW = x_.taps.outSize, outH = y_.taps.outSize;
    if (args.Get("planes").IsUndefined()) {
      sink_.rgb = typed<uint8_t, napi_uint8_array>(env, args, "out", static_cast<size_t>(outW * outH * 3), keepOut_);
    } else {
      sink_.tables = typed<float, napi_float32_array>(env, args, "tables", 768, keepTables_);
      const int64_t offset = integer(env, args, "offset", 0, INT32_MAX);
      sink_.rowPitch = integer(env, args, "rowPitch", static_cast<int>(outW), INT32_MAX);
      sink_.planeSize = integer(env, args, "planeSize", 0, INT32_MAX);
      if (sink_.planeSize < outH * sink_.rowPitch) fail(env, "planeSize is smaller than the resized image");
      float* planes = typed<float, napi_float32_array>(
          env, args, "planes", static_cast<size_t>(offset + 2 * sink_.planeSize + (outH - 1) * sink_.rowPitch + outW),
          keepOut_);
      sink_.planes = planes + offset;
      // Optional pixel mask ([padH, padW] int64 from maskOffset): 1 over the image, the rest left as it is.
      if (!args.Get("mask").IsUndefined()) {
        const int64_t maskOffset = integer(env, args, "maskOffset", 0, INT32_MAX);
        int64_t* mask = typed<int64_t, napi_bigint64_array>(
            env, args, "mask", static_cast<size_t>(maskOffset + (outH - 1) * sink_.rowPitch + outW), keepMask_);
        mask_ = mask + maskOffset;
      }
    }
  }
  void Execute() override {
    trtkit::image::resizeOriented(src_, xAlongRows_, x_.taps, y_.taps, sink_, threads_);
    if (mask_) {
      for (int y = 0; y < y_.taps.outSize; y++) std::fill_n(mask_ + y * sink_.rowPitch, x_.taps.outSize, int64_t{1});
    }
  }

 private:
  RgbView src_{};
  bool xAlongRows_ = false;
  int threads_ = 1;
  Axis x_, y_;
  RowSink sink_{};
  int64_t* mask_ = nullptr;
  Napi::ObjectReference keepSrc_, keepOut_, keepTables_, keepMask_;
};

// Arguments of an orientation, read once: used by the queued job and the synchronous entry.
struct OrientCall {
  OrientCall(Napi::Env env, const Napi::Object& args) {
    src = readSource(env, args, keepSrc);
    orientation = integer(env, args, "orientation", 1, 8);
    dst = typed<uint8_t, napi_uint8_array>(env, args, "out", static_cast<size_t>(src.stride) * src.height, keepOut);
  }
  void run() const { trtkit::image::orient(src, orientation, dst); }
  RgbView src{};
  int orientation = 1;
  uint8_t* dst = nullptr;
  Napi::ObjectReference keepSrc, keepOut;
};

class OrientJob : public Job {
 public:
  OrientJob(Napi::Env env, const Napi::Object& args) : Job(env, "trtkit:orient"), call_(env, args) {}
  void Execute() override { call_.run(); }

 private:
  OrientCall call_;
};

// For a getter that must return pixels now (a few milliseconds for a 1080p photo).
Napi::Value OrientSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "expected an options object");
  OrientCall(env, info[0].As<Napi::Object>()).run();
  return env.Undefined();
}

template <typename J>
Napi::Value queue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "expected an options object");
  auto* job = new J(env, info[0].As<Napi::Object>());
  Napi::Promise p = job->promise();
  job->Queue();
  return p;
}

// Zeroed memory for large output tensors, in 2 MiB pages where the kernel offers them (transparent huge pages in
// "madvise" mode): a fresh 4 KiB page costs a fault on first write, which for a batch's hundreds of megabytes of
// float32 pixels and int64 masks cost about as much CPU as the resizing itself (docs/benchmarks/preprocess.md).
struct LargeBlock {
  void* base;
  size_t length;
};

Napi::Value AllocLarge(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "expected a byte length");
  const double requested = info[0].As<Napi::Number>().DoubleValue();
  if (!(requested >= 1) || requested > 64.0 * (1ull << 30) || requested != static_cast<double>(static_cast<size_t>(requested))) {
    fail(env, "byte length must be an integer in 1..64 GiB");
  }
  const size_t bytes = static_cast<size_t>(requested);
#if defined(__linux__)
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t length = bytes + kHuge;  // room to start on a 2 MiB boundary
  void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw Napi::Error::New(env, "out of memory: cannot map " + std::to_string(bytes) + " bytes");
  uint8_t* data = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(base) + kHuge - 1) & ~(kHuge - 1));
  madvise(data, bytes, MADV_HUGEPAGE);  // advice only: without huge pages this is ordinary zeroed memory
  auto* block = new LargeBlock{base, length};
#else
  void* base = std::calloc(bytes, 1);
  if (!base) throw Napi::Error::New(env, "out of memory: cannot allocate " + std::to_string(bytes) + " bytes");
  uint8_t* data = static_cast<uint8_t*>(base);
  auto* block = new LargeBlock{base, bytes};
#endif
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
  return Napi::ArrayBuffer::New(
      env, data, bytes,
      [](Napi::Env e, void*, LargeBlock* b) {
#if defined(__linux__)
        munmap(b->base, b->length);
        Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(b->length - (size_t{2} << 20)));
#else
        std::free(b->base);
        Napi::MemoryManagement::AdjustExternalMemory(e, -static_cast<int64_t>(b->length));
#endif
        delete b;
      },
      block);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("resize", Napi::Function::New(env, queue<ResizeJob>));
  exports.Set("orient", Napi::Function::New(env, queue<OrientJob>));
  exports.Set("orientSync", Napi::Function::New(env, OrientSync));
  exports.Set("allocLarge", Napi::Function::New(env, AllocLarge));
  return exports;
}

}  // namespace

NODE_API_MODULE(trtkit_image, Init)
