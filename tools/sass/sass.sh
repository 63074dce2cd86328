#!/bin/sh
# Machine code (SASS) of a CUDA source for sm_90, on a machine without a GPU or a current disassembler:
# compiles with the installed nvcc to a cubin, rewrites the ELF header to the layout the CUDA 11.8
# disassembler reads (OS/ABI 0x33, ABI version 7, flags for sm_90), and lists it with cuobjdump 11.8 from
# Debian's non-free nvidia-cuda-toolkit package, unpacked (not installed) into a cache folder on first use.
# Opcodes newer than 11.8 (e.g. VIADD) are missing from the listing; loads, shuffles and FMAs are not.
#   tools/sass/sass.sh packages/trt-native/native/cuda/msda.cu > /tmp/msda.sass
#   python3 tools/sass/inflight.py /tmp/msda.sass msdaSharedKernel
set -eu
src=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TRTKIT_SASS_CACHE:-$HOME/.cache/trtkit-sass}
tool="$cache/usr/bin/cuobjdump"
if [ ! -x "$tool" ]; then
  mkdir -p "$cache"
  list="$cache/nonfree.sources"
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' > "$list"
  opts="-o Dir::Etc::sourcelist=$list -o Dir::Etc::sourceparts=- -o Dir::State::lists=$cache/lists -o Dir::Cache=$cache/apt"
  mkdir -p "$cache/lists/partial" "$cache/apt/archives/partial"
  # shellcheck disable=SC2086
  apt-get $opts update -qq >&2
  # shellcheck disable=SC2086
  (cd "$cache" && apt-get $opts download nvidia-cuda-toolkit >&2)
  dpkg-deb -x "$cache"/nvidia-cuda-toolkit_*.deb "$cache"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nvcc -O3 -std=c++17 -cubin -arch=sm_90 -I"$root/packages/trt-native/native/cuda" "$@" "$src" -o "$tmp/k.cubin"
python3 - "$tmp/k.cubin" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[7], b[8] = 0x33, 7
struct.pack_into('<I', b, 0x30, 0x5a055a)
open(sys.argv[1], 'wb').write(b)
PY
"$tool" -sass "$tmp/k.cubin"
