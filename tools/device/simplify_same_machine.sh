#!/bin/sh
# Same-machine simplify benchmark on full-size models (GPU machine: Python with torch, transformers, onnxscript;
# Node carried as .carry/node.xz, our side bundled as .carry/dev/simplify-ours.mjs by tools/device/build.sh).
#   sh tools/device/simplify_same_machine.sh OUTDIR [REPEATS]
set -eu
out=$1
repeats=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
xz -dc "$root/.carry/node.xz" > /tmp/node && chmod +x /tmp/node
{ lscpu | grep -E 'Model name|^CPU\(s\)'; python3 -c 'import onnx, onnxscript, torch, transformers; print("onnx", onnx.__version__, "onnxscript", onnxscript.__version__, "torch", torch.__version__, "transformers", transformers.__version__)'; /tmp/node --version; } > "$out/machine.txt" 2>&1
(cd "$root/tools/fixtures" && python3 full_size.py --out /tmp/full) > "$out/export.log" 2>&1
ls -la /tmp/full >> "$out/export.log"
python3 "$root/tools/device/simplify_peer.py" --fixtures /tmp/full --glob '*.onnx' --repeats "$repeats" --out "$out/peer_full.json"
/tmp/node "$root/.carry/dev/simplify-ours.mjs" --repeats "$repeats" --out "$out/ours_full.json" /tmp/full/*.onnx
