#!/bin/sh
# Mutation check: do the tests catch a wrong result? Each mutant below is one deliberate
# bug, put into the source one at a time; the build is updated incrementally, the suites
# that should notice it are run, and the source is put back. A mutant the suites notice is
# "killed", one they pass is "survived" (a hole in the tests).
#
#   tools/mutate.sh            all mutants (a few minutes each on 2 cores)
#   tools/mutate.sh NAME...    only those
#
# Needs a configured build (tools/setup.sh build). Not part of tools/test.sh: it is slow.
# Exit status: 0 if every mutant was killed, 1 if one survived or could not be applied or built.
set -eu
cd "$(dirname "$0")/.."
BUILD=${DN_MUTATE_BUILD:-build}
[ -f "$BUILD/build.ninja" ] || { echo "mutate: no build in $BUILD (run tools/setup.sh first)"; exit 1; }

saved=""  # the file being mutated, restored on every way out
restore() { [ -n "$saved" ] && cp "$saved.orig" "$saved" && rm -f "$saved.orig"; saved=""; }
trap 'restore' EXIT INT TERM

survivors=0
# mutant NAME FILE ORIGINAL REPLACEMENT SUITE...: ORIGINAL must occur exactly once in FILE.
mutant() {
  name=$1 file=$2 original=$3 replacement=$4
  shift 4
  if [ -n "$only" ] && ! echo " $only " | grep -q " $name "; then return 0; fi
  cp "$file" "$file.orig"
  saved=$file
  if ! python3 - "$file" "$original" "$replacement" <<'EOF'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"mutate: '{old}' occurs {text.count(old)} times in {path}, not once")
open(path, "w").write(text.replace(old, new))
EOF
  then
    echo "mutant $name: could not be applied"
    survivors=$((survivors + 1))
    restore
    return 0
  fi
  if ! ninja -C "$BUILD" >"$BUILD/mutate-$name.log" 2>&1; then
    verdict="NOT RUN: does not compile (see $BUILD/mutate-$name.log)"
    survivors=$((survivors + 1))
  elif meson test -C "$BUILD" --no-rebuild "$@" >>"$BUILD/mutate-$name.log" 2>&1; then
    verdict="SURVIVED"
    survivors=$((survivors + 1))
  else
    verdict="killed by $(grep -oE '[^ ]+ +(FAIL|TIMEOUT)' "$BUILD/mutate-$name.log" | awk '{print $1}' | sort -u | tr '\n' ' ')"
  fi
  restore
  echo "mutant $name: $verdict"
}

only="$*"
mutant nan-in-exp-backward autograd/unary.cpp \
  'return Grads{mul(g, out)}; });' \
  'return Grads{mul(g, add_scalar(out, __builtin_nan("")))}; });' \
  autograd
mutant top-ratio-off-by-one models/anomaly_map.cpp \
  'const int64_t k = int64_t(double(flat.size(1)) * top_ratio);' \
  'const int64_t k = int64_t(double(flat.size(1)) * top_ratio) + 1;' \
  models eval
mutant loss-groups-swapped models/loss.cpp \
  'Tensor term = one_group(detach(en[g]), de[g]);' \
  'Tensor term = one_group(detach(en[g]), de[(g + 1) % de.size()]);' \
  models
mutant bias-gradient-dropped autograd/linalg.cpp \
  'if (has_bias && needs[2]) gb = kernel::sum_to_shape(g, {weight.size(0)});' \
  'if (false && has_bias && needs[2]) gb = kernel::sum_to_shape(g, {weight.size(0)});' \
  autograd nn
mutant threshold-quantile apps/lib/threshold.cpp \
  'op.threshold = quantile(1.0 - fpr);' \
  'op.threshold = quantile(1.0 - 2 * fpr);' \
  operating-point apps

# Put the build back in step with the restored sources.
ninja -C "$BUILD" >/dev/null 2>&1 || true
if [ "$survivors" -eq 0 ]; then echo "mutate: every mutant killed"; else echo "mutate: $survivors mutant(s) not killed"; fi
[ "$survivors" -eq 0 ]
