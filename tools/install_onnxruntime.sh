#!/bin/sh
# Installs ONNX Runtime for the ONNX parity tests and the benchmark: the npm package
# onnxruntime-node (its native libonnxruntime.so and the node binding) into .ort/ of the
# repository (git-ignored). --ignore-scripts skips the package's install script, which only
# downloads optional GPU parts. Never fails the caller: without node/npm or without access
# to the npm registry it says so, and the onnx_parity suite reports itself as skipped.
cd "$(dirname "$0")/.."
VERSION=1.31.1
if [ -f .ort/node_modules/onnxruntime-node/package.json ] &&
   grep -q "\"version\": \"$VERSION\"" .ort/node_modules/onnxruntime-node/package.json; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1 && ! dpkg -s nodejs >/dev/null 2>&1; then
  echo "install_onnxruntime: installing node and npm (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1 || true
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install_onnxruntime: no npm: the ONNX Runtime tests will be skipped"
  exit 0
fi
mkdir -p .ort
if timeout 300 npm install --ignore-scripts --no-audit --no-fund --prefix .ort "onnxruntime-node@$VERSION" \
     >.ort/npm.log 2>&1; then
  echo "install_onnxruntime: onnxruntime-node $VERSION in .ort/"
else
  echo "install_onnxruntime: npm install failed (no registry access?): the ONNX Runtime tests will be skipped" \
       "(see .ort/npm.log)"
fi
exit 0
