#!/bin/sh
# Same-machine preprocessing benchmark (GPU machine's CPU): our recipes' preprocessing vs transformers' processors.
# Here first: tools/device/build.sh (bundles our side to .carry/dev/preprocess.mjs); carry .carry/node.xz, .carry/dev,
# node_modules/sharp and node_modules/@img (sharp's prebuilt libvips).
#   sh tools/device/preprocess_same_machine.sh OUTDIR [REPEATS]
set -eu
out=$1
repeats=${2:-7}
root=$(cd "$(dirname "$0")/../.." && pwd)
xz -dc "$root/.carry/node.xz" > /tmp/node && chmod +x /tmp/node
for round in 1 2; do
  UV_THREADPOOL_SIZE=1 /tmp/node "$root/scripts/bench/preprocess.mjs" --worker "$root/.carry/dev/preprocess.mjs" \
    --threads 1 --repeats "$repeats" > "$out/ours_1thread_$round.json"
  /tmp/node "$root/scripts/bench/preprocess.mjs" --worker "$root/.carry/dev/preprocess.mjs" --threads default \
    --repeats "$repeats" > "$out/ours_default_$round.json"
  python3 "$root/tools/device/preprocess_transformers.py" --repeats "$repeats" --out "$out/transformers_$round.json" \
    > /dev/null
done
