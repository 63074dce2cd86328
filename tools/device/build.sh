#!/bin/sh
# Builds what the GPU-machine run needs, on this machine (x86-64): the kernels as a shared library for
# kernels_check_bench.py, the CUDA addon for sm_90, and a self-contained bundle of check_addon.ts.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pkg="$root/packages/trt-native"
out="$pkg/build/device"
mkdir -p "$out"
nvcc -O3 -std=c++17 -arch=sm_90 -lineinfo -shared -Xcompiler -fPIC -I"$pkg/native/cuda" \
  "$here/kernels_capi.cu" "$pkg"/native/cuda/*.cu -o "$out/libtrtkit_kernels_capi.so"
(cd "$root" && TRTKIT_CUDA_ARCHS="${TRTKIT_CUDA_ARCHS:-90-real}" node "$pkg/scripts/build-native.mjs")
"$root/node_modules/.bin/esbuild" "$here/check_addon.ts" --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/check-addon.mjs" --log-level=warning --alias:@trtkit/core="$root/packages/core/src/index.ts" \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
ls -la "$out"
# our side of the same-machine simplify benchmark (tools/device/simplify_same_machine.sh), one self-contained file
mkdir -p "$root/.carry/dev"
"$root/node_modules/.bin/esbuild" "$here/simplify_ours.ts" --bundle --platform=node --format=esm --target=node20 \
  --outfile="$root/.carry/dev/simplify-ours.mjs" --log-level=warning --external:onnxruntime-node --external:sharp \
  --alias:@trtkit/core="$root/packages/core/src/index.ts" --alias:@trtkit/ort="$root/packages/ort/src/index.ts" \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
# our side of the same-machine preprocessing benchmark (tools/device/preprocess_same_machine.sh)
"$root/node_modules/.bin/esbuild" --bundle --platform=node --format=esm --target=node20 \
  --outfile="$root/.carry/dev/preprocess.mjs" --log-level=warning --external:sharp \
  --alias:@trtkit/core="$root/packages/core/src/index.ts" --alias:@trtkit/trt-native="$root/packages/trt-native/src/index.ts" \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  "$root/tools/device/preprocess_entry.ts"
# the image addon beside the bundle (the bundle finds it through TRTKIT_IMAGE_ADDON)
cp "$pkg/build/image/Release/trtkit_image.node" "$root/.carry/dev/trtkit_image.node"
