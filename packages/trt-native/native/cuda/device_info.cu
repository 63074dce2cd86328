// Device queries shared by the addon and future plugins.
#include "device_info.h"

#include <cuda_runtime.h>

namespace trtkit {

int runtimeVersion() {
  int v = 0;
  cudaRuntimeGetVersion(&v);
  return v;
}

cudaError_t deviceCount(int* count) {
  *count = 0;
  return cudaGetDeviceCount(count);
}

}  // namespace trtkit
