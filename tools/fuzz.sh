#!/usr/bin/env bash
# Fuzzes the checkpoint parsers with libFuzzer under AddressSanitizer and
# UndefinedBehaviorSanitizer: safetensors, the restricted unpickler, and whole .pth archives.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
#
# The pth target takes whole archives (inputs starting with "PK") or bare pickles, around
# which it builds a valid archive so that mutations get past the zip CRCs.
#
# Needs clang and libFuzzer (Debian: clang, libclang-rt-dev, libomp-dev). Builds the tensor
# library with clang in build-fuzz/ (only that library), links one fuzzer per parser, and runs
# each for the given time, starting from the committed seeds in fuzz/corpus/<target>/. New
# inputs go to build-fuzz/corpus/<target>/ (kept between runs, not committed); a finding is
# saved under build-fuzz/findings/ and makes the script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-fuzz
targets=(safetensors pickle pth)

if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build" -Dcuda=disabled -Dtests=false -Dnative=false \
    -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined" >/dev/null
fi
# The parsers need only part of the tensor library. Objects that clang cannot compile (a
# kernel the parsers never call) are left out: the archive below holds those that built, and
# the link fails, naming the symbol, if a parser needed one of the others.
if ! ninja -C "$build" -k 0 tensor/libdn_tensor.a >"$build/ninja.log" 2>&1; then
  echo "note: some tensor sources do not compile with clang (see $build/ninja.log):"
  grep -o 'FAILED: .*' "$build/ninja.log" | sed 's/^/  /'
fi
rm -f "$build/libdn_fuzz.a"
ar rcs "$build/libdn_fuzz.a" "$build"/tensor/libdn_tensor.a.p/*.o

for t in "${targets[@]}"; do
  clang++ -std=c++20 -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "fuzz/${t}_fuzz.cpp" "$build/libdn_fuzz.a" -lzip -fopenmp -pthread -o "$build/fuzz_$t"
done

mkdir -p "$build/findings"
status=0
summary=""
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work"
  log="$build/fuzz_$t.log"
  echo "fuzzing $t for ${seconds}s ..."
  set +e
  seeds=("fuzz/corpus/$t")
  [ "$t" = pth ] && seeds+=("fuzz/corpus/pickle")  # the pth target also takes bare pickles
  "$build/fuzz_$t" "$work" "${seeds[@]}" -dict="fuzz/$t.dict" -max_total_time="$seconds" \
    -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/findings/$t-" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1 | sed 's/corp: //')
  if [ $rc -ne 0 ]; then
    status=1
    echo "FINDING in $t (exit $rc); see $log and $build/findings/"
    tail -30 "$log"
  fi
  summary+=$(printf '%-12s %6ss %12s executions   corpus %s (inputs/size)   %s' "$t" "$seconds" "$execs" \
    "$corpus" "$([ $rc -eq 0 ] && echo clean || echo FINDING)")$'\n'
done
echo
echo "target     time      executions   corpus"
printf '%s' "$summary"
exit $status
