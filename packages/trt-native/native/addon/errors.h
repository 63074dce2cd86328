#pragma once
// JS exceptions the addon throws. Each carries `trtkitKind` so the TypeScript layer can turn it into a typed
// error: 'cuda' (with cudaCode/cudaName), 'disposed', or 'argument'.
#include <cuda_runtime.h>
#include <napi.h>

#include <string>

namespace trtkit::addon {

[[noreturn]] inline void throwCuda(Napi::Env env, cudaError_t err, const std::string& what) {
  Napi::Error e = Napi::Error::New(env, what + ": " + cudaGetErrorString(err));
  e.Set("trtkitKind", Napi::String::New(env, "cuda"));
  e.Set("cudaCode", Napi::Number::New(env, static_cast<int>(err)));
  e.Set("cudaName", Napi::String::New(env, cudaGetErrorName(err)));
  throw e;
}

inline void check(Napi::Env env, cudaError_t err, const char* what) {
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    throwCuda(env, err, what);
  }
}

[[noreturn]] inline void throwKind(Napi::Env env, const char* kind, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("trtkitKind", Napi::String::New(env, kind));
  throw e;
}

}  // namespace trtkit::addon
