#pragma once
// Element types the kernels take. Values match the JS side (src/kernels/native-dtype.ts).
namespace trtkit {
enum class DType : int { kFloat32 = 0, kFloat16 = 1 };
}  // namespace trtkit
