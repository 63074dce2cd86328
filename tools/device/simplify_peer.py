"""Peer side of the simplify benchmark: the onnxscript optimizer on the fixture exports.

Run where onnxscript is installed (the GPU machine image has it):
    python3 tools/device/simplify_peer.py --out simplify_peer.json
Prints node counts before/after and the median wall time of onnxscript.optimizer.optimize over 5 runs.
"""
import argparse
import json
import pathlib
import statistics
import time

import onnx
import onnxscript
from onnxscript import optimizer


def count(model):
    return len(model.graph.node)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", default="fixtures")
    ap.add_argument("--out", default="simplify_peer.json")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--glob", default="*/*.onnx", help="which files under --fixtures (full-size exports: *.onnx)")
    args = ap.parse_args()
    rows = []
    for path in sorted(pathlib.Path(args.fixtures).glob(args.glob)):
        rel = str(path.relative_to(args.fixtures))
        try:
            model = onnx.load(str(path))
            before = count(model)
            times = []
            after = None
            for _ in range(args.repeats + 1):
                m = onnx.load(str(path))
                t = time.perf_counter()
                out = optimizer.optimize(m)
                times.append((time.perf_counter() - t) * 1000)
                after = count(out)
            rows.append({"fixture": rel, "before": before, "after": after, "ms": statistics.median(times[1:])})
        except Exception as e:  # record the failure, keep going
            rows.append({"fixture": rel, "error": f"{type(e).__name__}: {e}"[:300]})
        print(json.dumps(rows[-1]), flush=True)
    meta = {"onnx": onnx.__version__, "onnxscript": onnxscript.__version__}
    pathlib.Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
