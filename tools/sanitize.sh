#!/usr/bin/env bash
# Builds and runs test suites under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   tools/sanitize.sh [--build-only] [SUITE...]
#
# The default suites cover the code that can overflow a buffer: the tensor layer, autograd,
# the file readers, the hand-written GEMM kernels (built for this CPU, as users build them),
# the fused kernels and vector math, attention and the other modules, the tiny model's
# forward and backward, and tiny train / eval / predict runs of the apps.
#
# Configures build-sanitize/ once (Clang, meson -Db_sanitize=address,undefined, no CUDA), builds
# only the programs that the named suites run, and runs them with every sanitizer report
# fatal. Exit status: non-zero if any test fails, any sanitizer reports, a named suite does
# not exist, or nothing could be run. Set DN_SANITIZE_BUILD to use another directory.
# --build-only stops after building (tools/test.sh builds in the background while the main
# suites run, which leave one of the two cores idle most of the time).
#
# A unity build (meson -Dunity=on: a few source files compiled as one) takes about a third less
# time than one file at a time; every source file must therefore keep its file-local names
# distinct from its neighbours' (the build fails if not).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DN_SANITIZE_BUILD:-build-sanitize}
build_only=0
if [ "${1:-}" = --build-only ]; then build_only=1; shift; fi
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(harness tensor autograd io gemm sgemm_avx2 sgemm_avx512 perf nn models apps)

# Clang, not the GCC of the main build: it compiles this build in half the time (the
# Eigen-heavy kernels most of all), and a second compiler's warnings come for free.
missing=""
for p in clang libomp-dev libclang-rt-dev; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "sanitize: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq $missing >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
  # -O1 -g1: sanitizer builds are compile-bound (Eigen); this halves the time of -O2 -g
  # and keeps file:line in the reports.
  CC=clang CXX=clang++ meson setup "$build" -Dcuda=disabled -Dnative=true -Dbuildtype=plain -Dunity=on \
    -Dcpp_args="-O1 -g1 -fno-omit-frame-pointer -Wno-unknown-warning-option" \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi

# The tests whose name or suite is one of the requested, and what they need built: their own
# program and their declared dependencies (the apps an apps test starts, a probe program).
tests_json=$(meson introspect --tests "$build") || { echo "sanitize: meson introspect failed"; exit 1; }
targets_json=$(meson introspect --targets "$build") || { echo "sanitize: meson introspect failed"; exit 1; }
mapfile -t found < <(/usr/bin/python3 -c '
import json, os, sys
tests, targets = json.loads(sys.argv[1]), json.loads(sys.argv[2])
build, wanted = os.path.abspath(sys.argv[3]), set(sys.argv[4:])
files = {t["id"]: t["filename"] for t in targets}
for t in tests:
    suites = {s.split(":")[-1] for s in t["suite"]}
    if t["name"] in wanted or suites & wanted:
        needed = [t["cmd"][0]] + [f for d in t.get("depends", []) for f in files.get(d, [])]
        print(t["name"], *sorted({os.path.relpath(f, build) for f in needed if f.startswith(build)}))
' "$tests_json" "$targets_json" "$build" "${suites[@]}") || { echo "sanitize: reading the test list failed"; exit 1; }

names=()
programs=()
for line in "${found[@]}"; do
  read -r name needs <<<"$line"
  names+=("$name")
  read -r -a more <<<"$needs"
  programs+=("${more[@]}")
done
for s in "${suites[@]}"; do
  if ! printf '%s\n' "${names[@]}" | grep -qx "$s"; then echo "sanitize: no test suite '$s'"; exit 1; fi
done
if [ ${#names[@]} -eq 0 ] || [ ${#programs[@]} -eq 0 ]; then
  echo "sanitize: nothing to run"
  exit 1
fi

ninja -C "$build" "${programs[@]}"
[ "$build_only" = 1 ] && exit 0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# Freed tensor memory goes back to the sanitizer, not to the CPU cache, so that a use after
# free is caught (the cache's own tests turn it on for themselves).
export DN_CPU_CACHE=${DN_CPU_CACHE:-0}
# The full-disk case runs its app under `ulimit -f`, where LLVM 14's OpenMP runtime cannot
# create its shared-memory file and aborts before main; it runs in the main build instead.
# (The ? stands for the space: meson splits test arguments at spaces.)
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 4 \
  --test-args='--subcase-exclude=*full?disk*' "${names[@]}"
