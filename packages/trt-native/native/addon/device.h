#pragma once
// JS classes owning CUDA resources. Each frees its resource in dispose() or, if never disposed, in its
// finalizer; a disposed object used again throws a 'disposed' error instead of touching freed memory.
#include <cuda_runtime.h>
#include <napi.h>

#include <cstddef>

namespace trtkit::addon {

class DeviceBuffer : public Napi::ObjectWrap<DeviceBuffer> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit DeviceBuffer(const Napi::CallbackInfo& info);
  ~DeviceBuffer() override;
  // Device pointer of a live buffer with at least `bytes` bytes; throws otherwise.
  static void* pointer(const Napi::Value& v, size_t bytes, const char* name);
  static bool isBuffer(const Napi::Value& v);

 private:
  Napi::Value ByteLength(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);
  void CopyFromHost(const Napi::CallbackInfo& info);
  void CopyToHost(const Napi::CallbackInfo& info);
  void CopyFromDevice(const Napi::CallbackInfo& info);
  void Fill(const Napi::CallbackInfo& info);
  void release();

  void* ptr_ = nullptr;
  size_t bytes_ = 0;
  bool disposed_ = false;
};

class Stream : public Napi::ObjectWrap<Stream> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Stream(const Napi::CallbackInfo& info);
  ~Stream() override;
  // The stream an argument names: undefined/null is the default stream.
  static cudaStream_t from(const Napi::Value& v);

 private:
  void Synchronize(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);
  void release();

  cudaStream_t stream_ = nullptr;
  bool disposed_ = false;
};

class Event : public Napi::ObjectWrap<Event> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Event(const Napi::CallbackInfo& info);
  ~Event() override;

 private:
  void Record(const Napi::CallbackInfo& info);
  void Synchronize(const Napi::CallbackInfo& info);
  Napi::Value ElapsedMs(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  void Dispose(const Napi::CallbackInfo& info);
  cudaEvent_t live(Napi::Env env) const;
  void release();

  cudaEvent_t event_ = nullptr;
  bool disposed_ = false;
};

// Per-instance constructors, kept for instanceof checks when unwrapping arguments.
struct AddonData {
  Napi::FunctionReference deviceBuffer;
  Napi::FunctionReference stream;
  Napi::FunctionReference event;
};

}  // namespace trtkit::addon
