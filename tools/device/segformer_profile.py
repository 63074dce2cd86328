#!/usr/bin/env python3
"""SegFormer upsample + argmax (19x256x256 -> 1024x1024, fp16 logits, uint8 map) for Nsight Compute: three
launches of the tile kernel, then three of the row kernel.
ncu --kernel-name regex:upsampleArgmax --launch-skip 2 --launch-count 2 python3 segformer_profile.py --lib ..."""
import argparse
import ctypes

import torch

p = argparse.ArgumentParser()
p.add_argument("--lib", default="packages/trt-native/build/device/libtrtkit_kernels_capi.so")
a = p.parse_args()
lib = ctypes.CDLL(a.lib)
lib.tk_upsample_argmax_path.argtypes = [ctypes.c_int] * 9 + [ctypes.c_uint64] * 3
logits = torch.randn(1, 19, 256, 256, device="cuda").half()
out = torch.empty(1, 1024, 1024, dtype=torch.uint8, device="cuda")
s = torch.cuda.current_stream().cuda_stream
for path in (1, 1, 1, 2, 2, 2):
    rc = lib.tk_upsample_argmax_path(1, 1, 19, 256, 256, 1024, 1024, 1, path, logits.data_ptr(), out.data_ptr(), s)
    assert rc == 0, rc
torch.cuda.synchronize()
print("done")
