#!/usr/bin/env python3
"""One MSDA encoder call (Deformable DETR size, fp16, realistic locations) for Nsight Compute:
ncu --kernel-name regex:msdaSharedKernel --launch-skip 3 --launch-count 1 python3 msda_profile.py --lib ...
--tuning takes msda.h's MsdaTuning fields in order, comma-separated (e.g. 1,1,2,0,0,2,2,2: heads/warp 2, row
exchange, prefetch); without it the default design runs."""
import argparse
import ctypes
import sys

import torch

sys.argv += [] if "--lib" in sys.argv else ["--lib", "packages/trt-native/build/device/libtrtkit_kernels_capi.so"]
import importlib.util  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--lib", required=True)
p.add_argument("--tuning", default="")
a, _ = p.parse_known_args()
spec = importlib.util.spec_from_file_location("kb", __file__.replace("msda_profile.py", "kernels_check_bench.py"))
# Reuse the helpers without running the benchmark: execute only the definitions above the driver section.
src = open(spec.origin).read().split("torch.manual_seed(20261122)")[0]
ns = {"__name__": "kb"}
sys.argv = [sys.argv[0], "--lib", a.lib]
exec(compile(src, spec.origin, "exec"), ns)
dev = ns["dev"]
levels = ns["DETR_LEVELS"]
s = sum(h * w for h, w in levels)
v, sh, st, loc, at = ns["msda_inputs"](1, levels, 8, 32, s, 4, torch.float16)
loc = ns["realistic_loc"](1, s, 8, levels, 4, True)
out = torch.empty(1, s, 8, 32, device=dev, dtype=torch.float16)
tuning = [int(x) for x in a.tuning.split(",")] if a.tuning else None
for _ in range(5):
    if tuning:
        rc = ns["msda_tuned_launch"](v, sh, st, loc, at, out, *tuning)
        if rc:
            sys.exit(f"tuning {a.tuning} refused: CUDA error {rc}")
    else:
        ns["msda_launch"](v, sh, st, loc, at, out)
torch.cuda.synchronize()
print("done")
