// Shared pieces of the TensorRT addon: the logger, owning pointers, dtype and shape conversions.
#pragma once

#include <NvInfer.h>
#include <cuda_runtime.h>
#include <napi.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace trtkit::trt {

// TensorRT 10+ objects are released with plain delete.
template <typename T>
using Owned = std::unique_ptr<T>;

struct LogEntry {
  int severity;  // nvinfer1::ILogger::Severity: 0 internal error .. 4 verbose
  std::string message;
};

// Collects TensorRT's messages so each build or run can return the ones it caused. Thread-safe: TensorRT logs from
// builder threads.
class Logger : public nvinfer1::ILogger {
 public:
  explicit Logger(Severity keep = Severity::kWARNING) : keep_(keep) {}
  void log(Severity severity, char const* msg) noexcept override {
    if (severity > keep_) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() < 2000) entries_.push_back({static_cast<int>(severity), msg ? msg : ""});
  }
  std::vector<LogEntry> drain() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<LogEntry> out;
    out.swap(entries_);
    return out;
  }
  void setKeep(Severity keep) { keep_ = keep; }

 private:
  Severity keep_;
  std::mutex mu_;
  std::vector<LogEntry> entries_;
};

// Names as @trtkit/core's DType names them.
inline char const* dtypeName(nvinfer1::DataType t) {
  switch (t) {
    case nvinfer1::DataType::kFLOAT: return "float32";
    case nvinfer1::DataType::kHALF: return "float16";
    case nvinfer1::DataType::kBF16: return "bfloat16";
    case nvinfer1::DataType::kINT8: return "int8";
    case nvinfer1::DataType::kINT32: return "int32";
    case nvinfer1::DataType::kINT64: return "int64";
    case nvinfer1::DataType::kBOOL: return "bool";
    case nvinfer1::DataType::kUINT8: return "uint8";
    default: return "unknown";
  }
}

inline size_t dtypeBytes(nvinfer1::DataType t) {
  switch (t) {
    case nvinfer1::DataType::kFLOAT:
    case nvinfer1::DataType::kINT32: return 4;
    case nvinfer1::DataType::kHALF:
    case nvinfer1::DataType::kBF16: return 2;
    case nvinfer1::DataType::kINT64: return 8;
    case nvinfer1::DataType::kINT8:
    case nvinfer1::DataType::kBOOL:
    case nvinfer1::DataType::kUINT8: return 1;
    default: return 0;
  }
}

inline Napi::Array dimsToJs(Napi::Env env, nvinfer1::Dims const& d) {
  Napi::Array a = Napi::Array::New(env, d.nbDims < 0 ? 0 : d.nbDims);
  for (int i = 0; i < d.nbDims; ++i) a.Set(i, Napi::Number::New(env, static_cast<double>(d.d[i])));
  return a;
}

inline nvinfer1::Dims dimsFromJs(Napi::Array a) {
  nvinfer1::Dims d{};
  uint32_t n = a.Length();
  if (n > static_cast<uint32_t>(nvinfer1::Dims::MAX_DIMS)) {
    throw Napi::RangeError::New(a.Env(), "at most 8 dimensions are supported by TensorRT");
  }
  d.nbDims = static_cast<int32_t>(n);
  for (uint32_t i = 0; i < n; ++i) d.d[i] = static_cast<int64_t>(a.Get(i).As<Napi::Number>().Int64Value());
  return d;
}

inline int64_t volume(nvinfer1::Dims const& d) {
  int64_t v = 1;
  for (int i = 0; i < d.nbDims; ++i) v *= d.d[i];
  return v;
}

inline Napi::Array logsToJs(Napi::Env env, std::vector<LogEntry> const& logs) {
  Napi::Array a = Napi::Array::New(env, logs.size());
  for (size_t i = 0; i < logs.size(); ++i) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("severity", logs[i].severity);
    o.Set("message", logs[i].message);
    a.Set(static_cast<uint32_t>(i), o);
  }
  return a;
}

// Throws a JS Error whose `code` names the failing step, so the TS layer can map it to a typed error.
inline void throwCoded(Napi::Env env, char const* code, std::string const& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  throw e;
}

}  // namespace trtkit::trt
