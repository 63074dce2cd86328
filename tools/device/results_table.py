#!/usr/bin/env python3
"""Renders kernels-results.json (from kernels_check_bench.py) as the markdown tables of docs/benchmarks/kernels.md."""
import json
import sys

r = json.load(open(sys.argv[1]))
bw = r["copy_bandwidth_Bps"]
print(f"Device: {r['device']} ({r['sms']} SMs), PyTorch {r['torch']}; device-to-device copy {bw / 1e12:.2f} TB/s (read + write).\n")
ok = sum(c["ok"] for c in r["checks"])
print(f"Checks: {ok}/{len(r['checks'])} passed.\n")
print("| kernel | implementation | median µs (events) | µs in a CUDA graph | memory floor µs | floor / median |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for b in r["bench"]:
    impl = b["name"][len(b["group"]):].strip() if b["name"].startswith(b["group"]) else b["name"]
    floor = f"{b['floor_us']:.2f}" if "floor_us" in b else ""
    frac = f"{b['dram_frac'] * 100:.0f}%" if "dram_frac" in b else ""
    graph = f"{b['graph_us']:.2f}" if b.get("graph_us") is not None else "n/a"
    print(f"| {b['group']} | {impl} | {b['median_us']:.2f} | {graph} | {floor} | {frac} |")
