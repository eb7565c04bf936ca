#!/bin/sh
# The main job, from a fresh machine: build, make a synthetic data set, train a small
# Dinomaly with an explicitly RANDOM encoder, evaluate, and say where the pictures are.
# A random encoder is a demonstration of the pipeline, not of Dinomaly's accuracy: for the
# real recipe (DINOv2 weights, MVTec-AD) see the README.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh build-demo -Dcuda=disabled -Dtests=false -- apps/synth apps/train apps/eval apps/predict apps/inspect
OUT=${DEMO_OUT:-demo}
rm -rf "$OUT/data" "$OUT/run"
start=$(date +%s)
build-demo/apps/synth --out "$OUT/data"
build-demo/apps/train --data "$OUT/data" --out "$OUT/run" --encoder test-small --encoder-weights random \
  --resize 128 --crop 112 --iters 150 --batch 8 --warmup 15 --hm-ramp 50 --vis 2
end=$(date +%s)
echo
echo "demo: data, training and evaluation took $((end - start)) s"
echo "demo: reports in $OUT/run/eval (metrics.md), pictures in $OUT/run/eval/vis"
echo "demo: try   build-demo/apps/predict --run $OUT/run --out $OUT/pred $OUT/data/woven/test"
