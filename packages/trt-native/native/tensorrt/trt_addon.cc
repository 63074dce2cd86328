// Entry point of the TensorRT addon. Loaded lazily by the TS layer, so machines without TensorRT load everything else.
#include <NvInferPlugin.h>
#include <NvInferVersion.h>

#include "trt_common.h"

namespace trtkit::trt {
Napi::Value Build(Napi::CallbackInfo const& info);
Napi::Function DefineEngine(Napi::Env env);

namespace {

Logger& pluginLogger() {
  static Logger logger(nvinfer1::ILogger::Severity::kWARNING);
  return logger;
}

// { compiled: "10.16.0", runtime: 101600 }: a mismatch between the headers and the loaded library is a setup error.
Napi::Value Version(Napi::CallbackInfo const& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("compiledMajor", NV_TENSORRT_MAJOR);
  o.Set("compiledMinor", NV_TENSORRT_MINOR);
  o.Set("compiledPatch", NV_TENSORRT_PATCH);
  o.Set("runtime", getInferLibVersion());
  return o;
}

// Registers TensorRT's own plugins (MultiscaleDeformableAttnPlugin_TRT and friends) once per process.
Napi::Value InitPlugins(Napi::CallbackInfo const& info) {
  static bool done = initLibNvInferPlugins(&pluginLogger(), "");
  return Napi::Boolean::New(info.Env(), done);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("initPlugins", Napi::Function::New(env, InitPlugins));
  exports.Set("build", Napi::Function::New(env, Build));
  exports.Set("Engine", DefineEngine(env));
  return exports;
}

}  // namespace
}  // namespace trtkit::trt

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return trtkit::trt::Init(env, exports); }

NODE_API_MODULE(trtkit_tensorrt, InitAddon)
