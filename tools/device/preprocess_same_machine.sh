#!/bin/sh
# Same-machine preprocessing benchmark (GPU machine's CPU): our recipes' preprocessing vs transformers' processors.
# Here first: tools/device/build.sh (bundles our side to .carry/dev/preprocess.mjs, copies the image addon beside it);
# carry .carry/node.xz, .carry/dev, node_modules/sharp, node_modules/@img, node_modules/detect-libc, node_modules/semver.
#   sh tools/device/preprocess_same_machine.sh OUTDIR [REPEATS]
# Ours runs four ways: native image addon with one thread, the JavaScript resampler with one thread
# (TRTKIT_IMAGE_NATIVE=off), Node's defaults (4 libuv threads), and one libuv thread per core.
set -eu
out=$1
repeats=${2:-7}
root=$(cd "$(dirname "$0")/../.." && pwd)
xz -dc "$root/.carry/node.xz" > /tmp/node && chmod +x /tmp/node
export TRTKIT_IMAGE_ADDON="$root/.carry/dev/trtkit_image.node"
bench() { /tmp/node "$root/scripts/bench/preprocess.mjs" --worker "$root/.carry/dev/preprocess.mjs" --repeats "$repeats" "$@"; }
for round in 1 2; do
  UV_THREADPOOL_SIZE=1 bench --threads 1 > "$out/ours_1thread_$round.json"
  UV_THREADPOOL_SIZE=1 TRTKIT_IMAGE_NATIVE=off bench --threads 1 > "$out/ours_js_1thread_$round.json"
  bench --threads default > "$out/ours_default_$round.json"
  UV_THREADPOOL_SIZE=$(nproc) bench --threads default > "$out/ours_allcores_$round.json"
  python3 "$root/tools/device/preprocess_transformers.py" --repeats "$repeats" --out "$out/transformers_$round.json" \
    > /dev/null
done
