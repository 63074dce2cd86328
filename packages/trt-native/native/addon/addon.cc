// Entry point of the CUDA addon: registers each module's functions on `exports`.
#include <napi.h>

#include "device.h"
#include "device_info.h"

namespace trtkit::addon {
void registerKernels(Napi::Env env, Napi::Object exports);
}

namespace {

Napi::Value RuntimeVersion(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), trtkit::runtimeVersion());
}

// Returns { count, error, errorName } so JS can turn "no driver" into a typed error.
Napi::Value DeviceCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int count = 0;
  cudaError_t err = trtkit::deviceCount(&count);
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", count);
  out.Set("error", static_cast<int>(err));
  out.Set("errorName", cudaGetErrorName(err));
  out.Set("errorString", cudaGetErrorString(err));
  return out;
}

// Returns { free, total, error, errorName, errorString } of the current device's memory.
Napi::Value MemInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t freeBytes = 0, totalBytes = 0;
  cudaError_t err = cudaMemGetInfo(&freeBytes, &totalBytes);
  if (err != cudaSuccess) cudaGetLastError();
  Napi::Object out = Napi::Object::New(env);
  out.Set("free", static_cast<double>(freeBytes));
  out.Set("total", static_cast<double>(totalBytes));
  out.Set("error", static_cast<int>(err));
  out.Set("errorName", cudaGetErrorName(err));
  out.Set("errorString", cudaGetErrorString(err));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("runtimeVersion", Napi::Function::New(env, RuntimeVersion));
  exports.Set("deviceCount", Napi::Function::New(env, DeviceCount));
  exports.Set("memInfo", Napi::Function::New(env, MemInfo));
  // Classes are defined without touching CUDA: constructing one is the first CUDA call.
  auto* data = new trtkit::addon::AddonData();
  Napi::Function buffer = trtkit::addon::DeviceBuffer::Define(env);
  Napi::Function stream = trtkit::addon::Stream::Define(env);
  Napi::Function event = trtkit::addon::Event::Define(env);
  data->deviceBuffer = Napi::Persistent(buffer);
  data->stream = Napi::Persistent(stream);
  data->event = Napi::Persistent(event);
  env.SetInstanceData(data);
  exports.Set("DeviceBuffer", buffer);
  exports.Set("Stream", stream);
  exports.Set("Event", event);
  trtkit::addon::registerKernels(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(trtkit_cuda, Init)
