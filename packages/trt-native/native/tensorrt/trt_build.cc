// Building a serialized engine (plan) from ONNX bytes off the JS thread, with progress reported back to JS.
#include <NvOnnxParser.h>

#include <atomic>
#include <map>

#include "trt_common.h"

namespace trtkit::trt {
namespace {

struct ProfileDims {
  nvinfer1::Dims min, opt, max;
};

struct BuildRequest {
  std::vector<uint8_t> onnx;  // copied: the build outlives the JS call
  std::string modelPath;      // lets the parser find external weights
  bool stronglyTyped = true;
  bool fp16 = false;  // weak typing, TensorRT 10 only
  bool tf32 = true;
  int64_t workspaceBytes = -1;
  int optimizationLevel = -1;
  bool detailedProfiling = true;
  std::vector<std::map<std::string, ProfileDims>> profiles;
  std::vector<std::string> pluginLibraries;
  std::vector<uint8_t> timingCache;
};

struct ProgressEvent {
  std::string phase;
  std::string parent;
  int32_t step;
  int32_t steps;
};

// Forwards TensorRT's build phases to a JS callback without blocking the builder thread.
class ProgressForwarder : public nvinfer1::IProgressMonitor {
 public:
  explicit ProgressForwarder(Napi::ThreadSafeFunction* tsfn) : tsfn_(tsfn) {}
  void phaseStart(char const* phase, char const* parent, int32_t nbSteps) noexcept override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      steps_[phase ? phase : ""] = nbSteps;
    }
    send(phase, parent, 0, nbSteps);
  }
  bool stepComplete(char const* phase, int32_t step) noexcept override {
    int32_t n = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      n = steps_[phase ? phase : ""];
    }
    send(phase, nullptr, step + 1, n);
    return !cancelled.load();
  }
  void phaseFinish(char const* phase) noexcept override { send(phase, nullptr, -1, -1); }
  std::atomic<bool> cancelled{false};

 private:
  void send(char const* phase, char const* parent, int32_t step, int32_t steps) {
    if (!tsfn_ || !*tsfn_) return;
    auto* ev = new ProgressEvent{phase ? phase : "", parent ? parent : "", step, steps};
    if (tsfn_->NonBlockingCall(ev, [](Napi::Env env, Napi::Function fn, ProgressEvent* e) {
          Napi::Object o = Napi::Object::New(env);
          o.Set("phase", e->phase);
          if (!e->parent.empty()) o.Set("parent", e->parent);
          o.Set("step", e->step);
          o.Set("steps", e->steps);
          delete e;
          fn.Call({o});
        }) != napi_ok) {
      delete ev;
    }
  }
  Napi::ThreadSafeFunction* tsfn_;
  std::mutex mu_;
  std::map<std::string, int32_t> steps_;
};

struct ParserError {
  int node;
  std::string nodeName, op, desc;
};

class BuildWorker : public Napi::AsyncWorker {
 public:
  BuildWorker(Napi::Env env, BuildRequest req, Napi::Function onProgress)
      : Napi::AsyncWorker(env, "trtkit.build"), req_(std::move(req)), deferred_(Napi::Promise::Deferred::New(env)) {
    if (!onProgress.IsEmpty()) {
      tsfn_ = Napi::ThreadSafeFunction::New(env, onProgress, "trtkit.build.progress", 64, 1);
    }
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    Logger logger(nvinfer1::ILogger::Severity::kWARNING);
    run(logger);
    logs_ = logger.drain();
  }

  void OnOK() override {
    release();
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("plan", Napi::Buffer<uint8_t>::Copy(env, plan_.data(), plan_.size()));
    if (!timingCache_.empty()) {
      out.Set("timingCache", Napi::Buffer<uint8_t>::Copy(env, timingCache_.data(), timingCache_.size()));
    }
    out.Set("logs", logsToJs(env, logs_));
    deferred_.Resolve(out);
  }

  void OnError(Napi::Error const& error) override {
    release();
    Napi::Env env = Env();
    Napi::Error e = Napi::Error::New(env, error.Message());
    e.Set("code", Napi::String::New(env, code_));
    e.Set("logs", logsToJs(env, logs_));
    Napi::Array errs = Napi::Array::New(env, parserErrors_.size());
    for (size_t i = 0; i < parserErrors_.size(); ++i) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("node", parserErrors_[i].node);
      o.Set("nodeName", parserErrors_[i].nodeName);
      o.Set("op", parserErrors_[i].op);
      o.Set("message", parserErrors_[i].desc);
      errs.Set(static_cast<uint32_t>(i), o);
    }
    e.Set("parserErrors", errs);
    deferred_.Reject(e.Value());
  }

 private:
  void fail(char const* code, std::string const& msg) {
    code_ = code;
    SetError(msg);
  }

  void run(Logger& logger) {
    Owned<nvinfer1::IBuilder> builder(nvinfer1::createInferBuilder(logger));
    if (!builder) return fail("BUILDER_CREATE", "createInferBuilder failed (is the GPU and driver usable?)");
    for (auto const& lib : req_.pluginLibraries) {
      if (!builder->getPluginRegistry().loadLibrary(lib.c_str())) {
        return fail("PLUGIN_LOAD", "could not load plugin library " + lib);
      }
    }
    uint32_t flags = 0;
#if NV_TENSORRT_MAJOR < 11
    if (req_.stronglyTyped) {
      flags |= 1U << static_cast<uint32_t>(nvinfer1::NetworkDefinitionCreationFlag::kSTRONGLY_TYPED);
    }
#endif
    Owned<nvinfer1::INetworkDefinition> network(builder->createNetworkV2(flags));
    if (!network) return fail("NETWORK_CREATE", "createNetworkV2 failed");
    Owned<nvonnxparser::IParser> parser(nvonnxparser::createParser(*network, logger));
    if (!parser) return fail("PARSER_CREATE", "createParser failed");
    bool parsed = parser->parse(req_.onnx.data(), req_.onnx.size(),
                                req_.modelPath.empty() ? nullptr : req_.modelPath.c_str());
    if (!parsed) {
      for (int i = 0; i < parser->getNbErrors(); ++i) {
        nvonnxparser::IParserError const* err = parser->getError(i);
        parserErrors_.push_back({err->node(), err->nodeName() ? err->nodeName() : "",
                                 err->nodeOperator() ? err->nodeOperator() : "", err->desc() ? err->desc() : ""});
      }
      return fail("PARSE_FAILED", "TensorRT's ONNX parser rejected the model");
    }
    Owned<nvinfer1::IBuilderConfig> config(builder->createBuilderConfig());
    if (!config) return fail("CONFIG_CREATE", "createBuilderConfig failed");
    if (req_.workspaceBytes > 0) {
      config->setMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE, static_cast<size_t>(req_.workspaceBytes));
    }
    if (req_.optimizationLevel >= 0) config->setBuilderOptimizationLevel(req_.optimizationLevel);
    if (!req_.tf32) config->clearFlag(nvinfer1::BuilderFlag::kTF32);
#if NV_TENSORRT_MAJOR < 11
    // Weak typing: deprecated in 10.x and gone in 11; kept for users of 10.x who ask for it explicitly.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    if (req_.fp16) config->setFlag(nvinfer1::BuilderFlag::kFP16);
#pragma GCC diagnostic pop
#else
    if (req_.fp16) {
      return fail("FP16_FLAG_REMOVED",
                  "TensorRT 11 has no FP16 builder flag: convert the graph to mixed precision (toMixedPrecision)");
    }
#endif
    if (req_.detailedProfiling) config->setProfilingVerbosity(nvinfer1::ProfilingVerbosity::kDETAILED);
    for (auto const& profile : req_.profiles) {
      nvinfer1::IOptimizationProfile* p = builder->createOptimizationProfile();
      for (auto const& [name, dims] : profile) {
        if (!p->setDimensions(name.c_str(), nvinfer1::OptProfileSelector::kMIN, dims.min) ||
            !p->setDimensions(name.c_str(), nvinfer1::OptProfileSelector::kOPT, dims.opt) ||
            !p->setDimensions(name.c_str(), nvinfer1::OptProfileSelector::kMAX, dims.max)) {
          return fail("PROFILE_INVALID", "invalid optimization profile for input '" + name + "' (need min <= opt <= max)");
        }
      }
      if (config->addOptimizationProfile(p) < 0) return fail("PROFILE_INVALID", "addOptimizationProfile failed");
    }
    Owned<nvinfer1::ITimingCache> cache(
        config->createTimingCache(req_.timingCache.empty() ? nullptr : req_.timingCache.data(), req_.timingCache.size()));
    if (cache) config->setTimingCache(*cache, false);
    ProgressForwarder progress(tsfn_ ? &tsfn_ : nullptr);
    config->setProgressMonitor(&progress);
    Owned<nvinfer1::IHostMemory> plan(builder->buildSerializedNetwork(*network, *config));
    config->setProgressMonitor(nullptr);
    if (!plan || plan->size() == 0) return fail("BUILD_FAILED", "buildSerializedNetwork failed (see logs)");
    auto const* bytes = static_cast<uint8_t const*>(plan->data());
    plan_.assign(bytes, bytes + plan->size());
    if (nvinfer1::ITimingCache const* used = config->getTimingCache()) {
      Owned<nvinfer1::IHostMemory> serialized(used->serialize());
      if (serialized) {
        auto const* c = static_cast<uint8_t const*>(serialized->data());
        timingCache_.assign(c, c + serialized->size());
      }
    }
  }

  void release() {
    if (tsfn_) tsfn_.Release();
  }

  BuildRequest req_;
  Napi::Promise::Deferred deferred_;
  Napi::ThreadSafeFunction tsfn_;
  std::vector<uint8_t> plan_, timingCache_;
  std::vector<LogEntry> logs_;
  std::vector<ParserError> parserErrors_;
  std::string code_ = "BUILD_FAILED";
};

std::vector<uint8_t> bytesOf(Napi::Value v) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), "expected a Uint8Array");
  Napi::Uint8Array a = v.As<Napi::Uint8Array>();
  return std::vector<uint8_t>(a.Data(), a.Data() + a.ByteLength());
}

}  // namespace

// build({ onnx, modelPath?, stronglyTyped?, fp16?, tf32?, workspaceBytes?, optimizationLevel?, profiles?,
//         pluginLibraries?, timingCache?, onProgress? }) -> Promise<{ plan, timingCache?, logs }>
Napi::Value Build(Napi::CallbackInfo const& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "build(options) needs an options object");
  Napi::Object o = info[0].As<Napi::Object>();
  BuildRequest req;
  req.onnx = bytesOf(o.Get("onnx"));
  if (o.Has("modelPath") && o.Get("modelPath").IsString()) req.modelPath = o.Get("modelPath").As<Napi::String>();
  if (o.Has("stronglyTyped")) req.stronglyTyped = o.Get("stronglyTyped").ToBoolean();
  if (o.Has("fp16")) req.fp16 = o.Get("fp16").ToBoolean();
  if (o.Has("tf32")) req.tf32 = o.Get("tf32").ToBoolean();
  if (o.Has("workspaceBytes") && o.Get("workspaceBytes").IsNumber()) {
    req.workspaceBytes = o.Get("workspaceBytes").As<Napi::Number>().Int64Value();
  }
  if (o.Has("optimizationLevel") && o.Get("optimizationLevel").IsNumber()) {
    req.optimizationLevel = o.Get("optimizationLevel").As<Napi::Number>().Int32Value();
  }
  if (o.Has("profiles") && o.Get("profiles").IsArray()) {
    Napi::Array ps = o.Get("profiles").As<Napi::Array>();
    for (uint32_t i = 0; i < ps.Length(); ++i) {
      Napi::Object p = ps.Get(i).As<Napi::Object>();
      std::map<std::string, ProfileDims> prof;
      Napi::Array names = p.GetPropertyNames();
      for (uint32_t j = 0; j < names.Length(); ++j) {
        std::string name = names.Get(j).As<Napi::String>();
        Napi::Object r = p.Get(name).As<Napi::Object>();
        prof[name] = {dimsFromJs(r.Get("min").As<Napi::Array>()), dimsFromJs(r.Get("opt").As<Napi::Array>()),
                      dimsFromJs(r.Get("max").As<Napi::Array>())};
      }
      req.profiles.push_back(std::move(prof));
    }
  }
  if (o.Has("pluginLibraries") && o.Get("pluginLibraries").IsArray()) {
    Napi::Array libs = o.Get("pluginLibraries").As<Napi::Array>();
    for (uint32_t i = 0; i < libs.Length(); ++i) req.pluginLibraries.push_back(libs.Get(i).As<Napi::String>());
  }
  if (o.Has("timingCache") && o.Get("timingCache").IsTypedArray()) req.timingCache = bytesOf(o.Get("timingCache"));
  Napi::Function onProgress;
  if (o.Has("onProgress") && o.Get("onProgress").IsFunction()) onProgress = o.Get("onProgress").As<Napi::Function>();
  auto* worker = new BuildWorker(env, std::move(req), onProgress);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace trtkit::trt
