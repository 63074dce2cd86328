// Device buffers, streams and events as JS objects (see device.h).
#include "device.h"

#include <string>

#include "errors.h"

namespace trtkit::addon {

namespace {

AddonData& data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

// Host bytes of a TypedArray, DataView or ArrayBuffer argument.
struct HostView {
  uint8_t* ptr;
  size_t bytes;
};

HostView hostView(const Napi::Value& v) {
  Napi::Env env = v.Env();
  if (v.IsTypedArray()) {
    auto a = v.As<Napi::TypedArray>();
    return {static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(), a.ByteLength()};
  }
  if (v.IsDataView()) {
    auto d = v.As<Napi::DataView>();
    return {static_cast<uint8_t*>(d.ArrayBuffer().Data()) + d.ByteOffset(), d.ByteLength()};
  }
  if (v.IsArrayBuffer()) {
    auto b = v.As<Napi::ArrayBuffer>();
    return {static_cast<uint8_t*>(b.Data()), b.ByteLength()};
  }
  throwKind(env, "argument", "expected a TypedArray, DataView or ArrayBuffer");
}

size_t sizeArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (info.Length() <= i || info[i].IsUndefined()) return 0;
  if (!info[i].IsNumber()) throwKind(info.Env(), "argument", std::string(name) + " must be a number");
  const double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d != static_cast<double>(static_cast<size_t>(d)))
    throwKind(info.Env(), "argument", std::string(name) + " must be a non-negative integer");
  return static_cast<size_t>(d);
}

}  // namespace

// ---- DeviceBuffer -------------------------------------------------------------------------------------------

Napi::Function DeviceBuffer::Define(Napi::Env env) {
  return DefineClass(env, "DeviceBuffer",
                     {
                         InstanceAccessor<&DeviceBuffer::ByteLength>("byteLength"),
                         InstanceAccessor<&DeviceBuffer::Disposed>("disposed"),
                         InstanceMethod<&DeviceBuffer::Dispose>("dispose"),
                         InstanceMethod<&DeviceBuffer::CopyFromHost>("copyFromHost"),
                         InstanceMethod<&DeviceBuffer::CopyToHost>("copyToHost"),
                         InstanceMethod<&DeviceBuffer::CopyFromDevice>("copyFromDevice"),
                         InstanceMethod<&DeviceBuffer::Fill>("fill"),
                     });
}

// new DeviceBuffer(byteLength)
DeviceBuffer::DeviceBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceBuffer>(info) {
  Napi::Env env = info.Env();
  bytes_ = sizeArg(info, 0, "byteLength");
  // cudaMalloc(0) gives no pointer; keep one byte so every live buffer has an address.
  check(env, cudaMalloc(&ptr_, bytes_ == 0 ? 1 : bytes_), "cudaMalloc");
}

DeviceBuffer::~DeviceBuffer() { release(); }

void DeviceBuffer::release() {
  // cudaFree waits for queued work that may still use the memory, so a GC'd buffer is never freed early.
  if (ptr_) cudaFree(ptr_);
  ptr_ = nullptr;
  disposed_ = true;
}

bool DeviceBuffer::isBuffer(const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(data(v.Env()).deviceBuffer.Value());
}

void* DeviceBuffer::pointer(const Napi::Value& v, size_t bytes, const char* name) {
  Napi::Env env = v.Env();
  if (!isBuffer(v)) throwKind(env, "argument", std::string(name) + " must be a DeviceBuffer");
  DeviceBuffer* b = Unwrap(v.As<Napi::Object>());
  if (b->disposed_) throwKind(env, "disposed", std::string(name) + " was disposed");
  if (bytes > b->bytes_)
    throwKind(env, "argument",
              std::string(name) + " holds " + std::to_string(b->bytes_) + " bytes, needs " + std::to_string(bytes));
  return b->ptr_;
}

Napi::Value DeviceBuffer::ByteLength(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(bytes_));
}

Napi::Value DeviceBuffer::Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed_); }

void DeviceBuffer::Dispose(const Napi::CallbackInfo& info) {
  if (disposed_) return;
  void* p = ptr_;
  ptr_ = nullptr;
  disposed_ = true;
  check(info.Env(), cudaFree(p), "cudaFree");
}

// copyFromHost(view, dstByteOffset = 0, stream?)
void DeviceBuffer::CopyFromHost(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const HostView src = hostView(info[0]);
  const size_t off = sizeArg(info, 1, "byteOffset");
  uint8_t* dst = static_cast<uint8_t*>(pointer(Value(), 0, "buffer"));
  if (off + src.bytes > bytes_) throwKind(env, "argument", "copy runs past the end of the device buffer");
  // From pageable memory the copy is staged before this returns, so the JS array may change right after.
  check(env, cudaMemcpyAsync(dst + off, src.ptr, src.bytes, cudaMemcpyHostToDevice, Stream::from(info[2])),
        "cudaMemcpyAsync (host to device)");
}

// copyToHost(view, srcByteOffset = 0, stream?)
void DeviceBuffer::CopyToHost(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const HostView dst = hostView(info[0]);
  const size_t off = sizeArg(info, 1, "byteOffset");
  const uint8_t* src = static_cast<const uint8_t*>(pointer(Value(), 0, "buffer"));
  if (off + dst.bytes > bytes_) throwKind(env, "argument", "copy runs past the end of the device buffer");
  // To pageable memory the copy has completed when this returns (the stream's earlier work included).
  check(env, cudaMemcpyAsync(dst.ptr, src + off, dst.bytes, cudaMemcpyDeviceToHost, Stream::from(info[2])),
        "cudaMemcpyAsync (device to host)");
}

// copyFromDevice(src, bytes, dstOffset = 0, srcOffset = 0, stream?)
void DeviceBuffer::CopyFromDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t bytes = sizeArg(info, 1, "bytes");
  const size_t dstOff = sizeArg(info, 2, "dstOffset");
  const size_t srcOff = sizeArg(info, 3, "srcOffset");
  const uint8_t* src = static_cast<const uint8_t*>(pointer(info[0], srcOff + bytes, "source"));
  uint8_t* dst = static_cast<uint8_t*>(pointer(Value(), dstOff + bytes, "destination"));
  check(env, cudaMemcpyAsync(dst + dstOff, src + srcOff, bytes, cudaMemcpyDeviceToDevice, Stream::from(info[4])),
        "cudaMemcpyAsync (device to device)");
}

// fill(byteValue, stream?)
void DeviceBuffer::Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t value = sizeArg(info, 0, "value");
  if (value > 255) throwKind(env, "argument", "fill value must be a byte (0..255)");
  void* p = pointer(Value(), 0, "buffer");
  check(env, cudaMemsetAsync(p, static_cast<int>(value), bytes_, Stream::from(info[1])), "cudaMemsetAsync");
}

// ---- Stream -------------------------------------------------------------------------------------------------

Napi::Function Stream::Define(Napi::Env env) {
  return DefineClass(env, "Stream",
                     {
                         InstanceMethod<&Stream::Synchronize>("synchronize"),
                         InstanceAccessor<&Stream::Disposed>("disposed"),
                         InstanceMethod<&Stream::Dispose>("dispose"),
                     });
}

Stream::Stream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Stream>(info) {
  check(info.Env(), cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
}

Stream::~Stream() { release(); }

void Stream::release() {
  // Destroying a stream with queued work is allowed: the work finishes, then the stream goes.
  if (stream_) cudaStreamDestroy(stream_);
  stream_ = nullptr;
  disposed_ = true;
}

cudaStream_t Stream::from(const Napi::Value& v) {
  Napi::Env env = v.Env();
  if (v.IsEmpty() || v.IsUndefined() || v.IsNull()) return nullptr;
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(data(env).stream.Value()))
    throwKind(env, "argument", "stream must be a Stream");
  Stream* s = Unwrap(v.As<Napi::Object>());
  if (s->disposed_) throwKind(env, "disposed", "stream was disposed");
  return s->stream_;
}

void Stream::Synchronize(const Napi::CallbackInfo& info) {
  if (disposed_) throwKind(info.Env(), "disposed", "stream was disposed");
  check(info.Env(), cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
}

Napi::Value Stream::Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed_); }

void Stream::Dispose(const Napi::CallbackInfo& info) {
  if (disposed_) return;
  cudaStream_t s = stream_;
  stream_ = nullptr;
  disposed_ = true;
  check(info.Env(), cudaStreamDestroy(s), "cudaStreamDestroy");
}

// ---- Event --------------------------------------------------------------------------------------------------

Napi::Function Event::Define(Napi::Env env) {
  return DefineClass(env, "Event",
                     {
                         InstanceMethod<&Event::Record>("record"),
                         InstanceMethod<&Event::Synchronize>("synchronize"),
                         InstanceMethod<&Event::ElapsedMs>("elapsedMs"),
                         InstanceAccessor<&Event::Disposed>("disposed"),
                         InstanceMethod<&Event::Dispose>("dispose"),
                     });
}

Event::Event(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Event>(info) {
  check(info.Env(), cudaEventCreate(&event_), "cudaEventCreate");
}

Event::~Event() { release(); }

void Event::release() {
  if (event_) cudaEventDestroy(event_);
  event_ = nullptr;
  disposed_ = true;
}

cudaEvent_t Event::live(Napi::Env env) const {
  if (disposed_) throwKind(env, "disposed", "event was disposed");
  return event_;
}

// record(stream?)
void Event::Record(const Napi::CallbackInfo& info) {
  check(info.Env(), cudaEventRecord(live(info.Env()), Stream::from(info[0])), "cudaEventRecord");
}

void Event::Synchronize(const Napi::CallbackInfo& info) {
  check(info.Env(), cudaEventSynchronize(live(info.Env())), "cudaEventSynchronize");
}

// elapsedMs(start): milliseconds from `start` to this event.
Napi::Value Event::ElapsedMs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(data(env).event.Value()))
    throwKind(env, "argument", "start must be an Event");
  Event* start = Unwrap(info[0].As<Napi::Object>());
  float ms = 0.f;
  check(env, cudaEventElapsedTime(&ms, start->live(env), live(env)), "cudaEventElapsedTime");
  return Napi::Number::New(env, ms);
}

Napi::Value Event::Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed_); }

void Event::Dispose(const Napi::CallbackInfo& info) {
  if (disposed_) return;
  cudaEvent_t e = event_;
  event_ = nullptr;
  disposed_ = true;
  check(info.Env(), cudaEventDestroy(e), "cudaEventDestroy");
}

}  // namespace trtkit::addon
