#!/usr/bin/env python3
"""Python onnx peer for scripts/bench/codec.mjs: times onnx.load / onnx.save in one fresh process.

usage: codec_py.py load|save <model.onnx> <repeats> [<out.onnx>]
Prints one JSON line: {"op", "ms": [..], "peak_rss_delta": bytes, "onnx": version}; the peak is the
highest RSS above the starting point during the first repetition.
"""
import json
import os
import resource
import sys
import time

import onnx


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def reset_peak() -> None:
    # Linux: writing 5 to clear_refs resets VmHWM, the peak RSS, so each phase is measured on its own.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    op, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = sys.argv[4] if len(sys.argv) > 4 else None
    base = rss()
    reset_peak()
    times = []
    first_peak = None
    if op == "load":
        for _ in range(repeats):
            t = time.perf_counter()
            m = onnx.load(path)
            times.append((time.perf_counter() - t) * 1000)
            first_peak = first_peak or peak()
            del m
    else:
        m = onnx.load(path)
        base = rss()  # the loaded model is the baseline of a save
        reset_peak()
        for _ in range(repeats):
            t = time.perf_counter()
            onnx.save(m, out)
            times.append((time.perf_counter() - t) * 1000)
            first_peak = first_peak or peak()
    print(json.dumps({"op": op, "ms": times, "peak_rss_delta": first_peak - base, "onnx": onnx.__version__}))


main()
