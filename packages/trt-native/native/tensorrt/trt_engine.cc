// A deserialized engine and its execution context, wrapped for JS. Runs happen off the JS thread; one context per
// engine, so runs on one engine are serialised by a mutex.
#include <cstring>

#include "trt_common.h"

namespace trtkit::trt {
namespace {

struct DeviceBuffer {
  void* ptr = nullptr;
  size_t capacity = 0;
};

// Everything a run needs, shared between the JS object and in-flight workers so dispose() during a run is safe.
struct EngineState {
  Logger logger{nvinfer1::ILogger::Severity::kWARNING};
  Owned<nvinfer1::IRuntime> runtime;
  Owned<nvinfer1::ICudaEngine> engine;
  Owned<nvinfer1::IExecutionContext> context;
  cudaStream_t stream = nullptr;
  std::map<std::string, DeviceBuffer> buffers;
  std::mutex mu;

  ~EngineState() {
    context.reset();
    engine.reset();
    runtime.reset();
    for (auto& [name, b] : buffers) cudaFree(b.ptr);
    if (stream) cudaStreamDestroy(stream);
  }

  // Grows the named buffer to at least `bytes`; returns the CUDA error.
  cudaError_t reserve(std::string const& name, size_t bytes, void** out) {
    DeviceBuffer& b = buffers[name];
    if (b.capacity < bytes) {
      if (b.ptr) cudaFree(b.ptr);
      b.ptr = nullptr;
      b.capacity = 0;
      cudaError_t err = cudaMalloc(&b.ptr, bytes == 0 ? 1 : bytes);
      if (err != cudaSuccess) return err;
      b.capacity = bytes;
    }
    *out = b.ptr;
    return cudaSuccess;
  }
};

struct RunInput {
  std::string name;
  nvinfer1::Dims dims;
  uint8_t const* data;
  size_t bytes;
};

struct RunOutput {
  std::string name;
  nvinfer1::DataType dtype;
  nvinfer1::Dims dims;
  std::vector<uint8_t> host;
};

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<EngineState> state, std::vector<RunInput> inputs,
            std::vector<Napi::ObjectReference> keepAlive)
      : Napi::AsyncWorker(env, "trtkit.run"),
        state_(std::move(state)),
        inputs_(std::move(inputs)),
        keepAlive_(std::move(keepAlive)),
        deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    nvinfer1::ICudaEngine& engine = *state_->engine;
    nvinfer1::IExecutionContext& ctx = *state_->context;
    for (RunInput const& in : inputs_) {
      nvinfer1::DataType t = engine.getTensorDataType(in.name.c_str());
      if (static_cast<size_t>(volume(in.dims)) * dtypeBytes(t) != in.bytes) {
        return fail("INPUT_SIZE", "input '" + in.name + "' has " + std::to_string(in.bytes) +
                                      " bytes, which does not match its dims and dtype " + dtypeName(t));
      }
      if (!ctx.setInputShape(in.name.c_str(), in.dims)) {
        return fail("INPUT_SHAPE", "input '" + in.name + "': shape outside the engine's optimization profile");
      }
      void* dev = nullptr;
      if (!cuda(state_->reserve(in.name, in.bytes, &dev), "cudaMalloc")) return;
      if (!cuda(cudaMemcpyAsync(dev, in.data, in.bytes, cudaMemcpyHostToDevice, state_->stream), "copy in")) return;
      ctx.setTensorAddress(in.name.c_str(), dev);
    }
    for (int i = 0; i < engine.getNbIOTensors(); ++i) {
      char const* name = engine.getIOTensorName(i);
      if (engine.getTensorIOMode(name) != nvinfer1::TensorIOMode::kOUTPUT) continue;
      RunOutput out{name, engine.getTensorDataType(name), ctx.getTensorShape(name), {}};
      int64_t n = volume(out.dims);
      if (n < 0) return fail("OUTPUT_SHAPE", std::string("output '") + name + "' has a data-dependent shape");
      size_t bytes = static_cast<size_t>(n) * dtypeBytes(out.dtype);
      void* dev = nullptr;
      if (!cuda(state_->reserve(name, bytes, &dev), "cudaMalloc")) return;
      ctx.setTensorAddress(name, dev);
      out.host.resize(bytes);
      outputs_.push_back(std::move(out));
    }
    if (!ctx.allInputDimensionsSpecified()) return fail("INPUT_MISSING", "not every engine input was given");
    if (!ctx.enqueueV3(state_->stream)) return fail("ENQUEUE_FAILED", "enqueueV3 failed (see logs)");
    for (RunOutput& out : outputs_) {
      void* dev = state_->buffers[out.name].ptr;
      if (!cuda(cudaMemcpyAsync(out.host.data(), dev, out.host.size(), cudaMemcpyDeviceToHost, state_->stream),
                "copy out")) {
        return;
      }
    }
    cuda(cudaStreamSynchronize(state_->stream), "synchronize");
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Array arr = Napi::Array::New(env, outputs_.size());
    for (size_t i = 0; i < outputs_.size(); ++i) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", outputs_[i].name);
      o.Set("dtype", dtypeName(outputs_[i].dtype));
      o.Set("dims", dimsToJs(env, outputs_[i].dims));
      o.Set("data", Napi::Buffer<uint8_t>::Copy(env, outputs_[i].host.data(), outputs_[i].host.size()));
      arr.Set(static_cast<uint32_t>(i), o);
    }
    deferred_.Resolve(arr);
  }

  void OnError(Napi::Error const& error) override {
    Napi::Error e = Napi::Error::New(Env(), error.Message());
    e.Set("code", Napi::String::New(Env(), code_));
    e.Set("logs", logsToJs(Env(), state_->logger.drain()));
    deferred_.Reject(e.Value());
  }

 private:
  void fail(char const* code, std::string const& msg) {
    code_ = code;
    SetError(msg);
  }
  bool cuda(cudaError_t err, char const* what) {
    if (err == cudaSuccess) return true;
    fail("CUDA_ERROR", std::string(what) + ": " + cudaGetErrorName(err) + " " + cudaGetErrorString(err));
    return false;
  }

  std::shared_ptr<EngineState> state_;
  std::vector<RunInput> inputs_;
  std::vector<Napi::ObjectReference> keepAlive_;  // the input arrays stay alive until the copies are done
  Napi::Promise::Deferred deferred_;
  std::vector<RunOutput> outputs_;
  std::string code_ = "RUN_FAILED";
};

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TensorRtEngine",
                       {InstanceMethod("io", &EngineWrap::Io), InstanceMethod("run", &EngineWrap::Run),
                        InstanceMethod("inspect", &EngineWrap::Inspect), InstanceMethod("dispose", &EngineWrap::Dispose),
                        InstanceAccessor("disposed", &EngineWrap::Disposed, nullptr)});
  }

  // new TensorRtEngine(plan: Uint8Array, pluginLibraries?: string[])
  explicit EngineWrap(Napi::CallbackInfo const& info) : Napi::ObjectWrap<EngineWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "expected the plan bytes");
    Napi::Uint8Array plan = info[0].As<Napi::Uint8Array>();
    auto state = std::make_shared<EngineState>();
    state->runtime.reset(nvinfer1::createInferRuntime(state->logger));
    if (!state->runtime) throwCoded(env, "RUNTIME_CREATE", "createInferRuntime failed (is the GPU and driver usable?)");
    if (info.Length() > 1 && info[1].IsArray()) {
      Napi::Array libs = info[1].As<Napi::Array>();
      for (uint32_t i = 0; i < libs.Length(); ++i) {
        std::string lib = libs.Get(i).As<Napi::String>();
        if (!state->runtime->getPluginRegistry().loadLibrary(lib.c_str())) {
          throwCoded(env, "PLUGIN_LOAD", "could not load plugin library " + lib);
        }
      }
    }
    state->engine.reset(state->runtime->deserializeCudaEngine(plan.Data(), plan.ByteLength()));
    if (!state->engine) {
      std::string detail;
      for (auto const& l : state->logger.drain()) detail += "\n  " + l.message;
      throwCoded(env, "DESERIALIZE_FAILED",
                 "the plan could not be deserialized (corrupt, or built by another TensorRT version or GPU)" + detail);
    }
    state->context.reset(state->engine->createExecutionContext());
    if (!state->context) throwCoded(env, "CONTEXT_CREATE", "createExecutionContext failed (out of GPU memory?)");
    if (cudaStreamCreateWithFlags(&state->stream, cudaStreamNonBlocking) != cudaSuccess) {
      throwCoded(env, "CUDA_ERROR", "cudaStreamCreate failed");
    }
    state_ = std::move(state);
  }

 private:
  EngineState& live(Napi::Env env) {
    if (!state_) throwCoded(env, "DISPOSED", "the engine was disposed");
    return *state_;
  }

  // [{ name, mode, dtype, dims, profile: { min, opt, max } }]
  Napi::Value Io(Napi::CallbackInfo const& info) {
    Napi::Env env = info.Env();
    nvinfer1::ICudaEngine& engine = *live(env).engine;
    Napi::Array arr = Napi::Array::New(env, engine.getNbIOTensors());
    for (int i = 0; i < engine.getNbIOTensors(); ++i) {
      char const* name = engine.getIOTensorName(i);
      bool input = engine.getTensorIOMode(name) == nvinfer1::TensorIOMode::kINPUT;
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", name);
      o.Set("mode", input ? "input" : "output");
      o.Set("dtype", dtypeName(engine.getTensorDataType(name)));
      o.Set("dims", dimsToJs(env, engine.getTensorShape(name)));
      if (input && engine.getNbOptimizationProfiles() > 0) {
        Napi::Object p = Napi::Object::New(env);
        p.Set("min", dimsToJs(env, engine.getProfileShape(name, 0, nvinfer1::OptProfileSelector::kMIN)));
        p.Set("opt", dimsToJs(env, engine.getProfileShape(name, 0, nvinfer1::OptProfileSelector::kOPT)));
        p.Set("max", dimsToJs(env, engine.getProfileShape(name, 0, nvinfer1::OptProfileSelector::kMAX)));
        o.Set("profile", p);
      }
      arr.Set(static_cast<uint32_t>(i), o);
    }
    return arr;
  }

  // run([{ name, dims, data: TypedArray }]) -> Promise<[{ name, dtype, dims, data: Buffer }]>
  Napi::Value Run(Napi::CallbackInfo const& info) {
    Napi::Env env = info.Env();
    live(env);
    if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, "run(inputs) needs an array");
    Napi::Array arr = info[0].As<Napi::Array>();
    std::vector<RunInput> inputs;
    std::vector<Napi::ObjectReference> keep;
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      Napi::Object o = arr.Get(i).As<Napi::Object>();
      Napi::Value data = o.Get("data");
      if (!data.IsTypedArray()) throw Napi::TypeError::New(env, "input data must be a TypedArray");
      Napi::TypedArray ta = data.As<Napi::TypedArray>();
      auto* base = static_cast<uint8_t const*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      inputs.push_back({o.Get("name").As<Napi::String>(), dimsFromJs(o.Get("dims").As<Napi::Array>()), base,
                        ta.ByteLength()});
      keep.push_back(Napi::Persistent(data.As<Napi::Object>()));
    }
    auto* worker = new RunWorker(env, state_, std::move(inputs), std::move(keep));
    Napi::Promise p = worker->Promise();
    worker->Queue();
    return p;
  }

  // The engine inspector's JSON: per-layer types and precisions (needs a plan built with detailed profiling).
  Napi::Value Inspect(Napi::CallbackInfo const& info) {
    Napi::Env env = info.Env();
    EngineState& s = live(env);
    std::lock_guard<std::mutex> lock(s.mu);
    Owned<nvinfer1::IEngineInspector> inspector(s.engine->createEngineInspector());
    if (!inspector) throwCoded(env, "INSPECT_FAILED", "createEngineInspector failed");
    inspector->setExecutionContext(s.context.get());
    char const* json = inspector->getEngineInformation(nvinfer1::LayerInformationFormat::kJSON);
    return Napi::String::New(env, json ? json : "{}");
  }

  Napi::Value Dispose(Napi::CallbackInfo const& info) {
    state_.reset();  // in-flight runs hold their own reference
    return info.Env().Undefined();
  }

  Napi::Value Disposed(Napi::CallbackInfo const& info) { return Napi::Boolean::New(info.Env(), !state_); }

  std::shared_ptr<EngineState> state_;
};

}  // namespace

Napi::Function DefineEngine(Napi::Env env) { return EngineWrap::Define(env); }

}  // namespace trtkit::trt
