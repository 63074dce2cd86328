#pragma once
#include <cuda_runtime.h>

namespace trtkit {
// CUDA runtime version compiled in (e.g. 13000).
int runtimeVersion();
// Number of visible devices; returns the CUDA error (35 = no driver) instead of throwing.
cudaError_t deviceCount(int* count);
}  // namespace trtkit
