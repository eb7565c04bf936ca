#!/bin/sh
# Installs what is missing (Debian 12, as root), then configures and builds dinomaly.cpp.
#   tools/setup.sh [BUILD_DIR] [meson options...] [-- ninja targets...]
# Used by tools/demo.sh and tools/test.sh; safe to run again (it only adds what is missing).
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
[ $# -gt 0 ] && shift

PACKAGES="g++ meson ninja-build pkg-config libeigen3-dev doctest-dev libstb-dev nlohmann-json3-dev \
libcli11-dev libzip-dev libjpeg62-turbo-dev libtiff-dev libonnx-dev libprotobuf-dev python3-onnx"
missing=""
for p in $PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $missing >/dev/null
fi

# ONNX Runtime (npm, into .ort/) for the ONNX parity tests; never fatal.
sh tools/install_onnxruntime.sh

meson_args=""
targets=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; targets="$*"; break; fi
  meson_args="$meson_args $1"; shift
done
# A unity build (a few source files compiled as one) builds from scratch in about a third less
# time; a developer who rebuilds after each edit may prefer `meson configure BUILD -Dunity=off`.
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" --buildtype=release -Dunity=on $meson_args
else
  [ -n "$meson_args" ] && meson configure "$BUILD" $meson_args
fi
ninja -C "$BUILD" $targets
