// Entry point of the CUDA addon: registers each module's functions on `exports`.
#include <napi.h>

#include "device_info.h"

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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("runtimeVersion", Napi::Function::New(env, RuntimeVersion));
  exports.Set("deviceCount", Napi::Function::New(env, DeviceCount));
  return exports;
}

}  // namespace

NODE_API_MODULE(trtkit_cuda, Init)
