#!/usr/bin/env bash
# Builds and runs test suites under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   tools/sanitize.sh [SUITE...]     (default: tensor autograd io)
#
# Configures build-sanitize/ once (meson, -Db_sanitize=address,undefined, no CUDA), builds
# only the test programs of the named suites, and runs them with every sanitizer report
# fatal. A suite that does not exist yet is reported and skipped. Exit status: non-zero if
# any test fails or any sanitizer reports. Set DN_SANITIZE_BUILD to use another directory.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DN_SANITIZE_BUILD:-build-sanitize}
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(tensor autograd io)

if [ ! -f "$build/build.ninja" ]; then
  # -O1 -g1: sanitizer builds are compile-bound (Eigen); this halves the time of -O2 -g
  # and keeps file:line in the reports.
  meson setup "$build" -Dcuda=disabled -Dnative=false -Dbuildtype=plain \
    -Dcpp_args="-O1 -g1 -fno-omit-frame-pointer" \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi

# The tests whose name or suite is one of the requested, and the programs they run.
mapfile -t found < <(meson introspect --tests "$build" | /usr/bin/python3 -c '
import json, os, sys
wanted, build = sys.argv[1:-1], os.path.abspath(sys.argv[-1])
for t in json.load(sys.stdin):
    suites = {s.split(":")[-1] for s in t["suite"]}
    if t["name"] in wanted or suites & set(wanted):
        print(t["name"], os.path.relpath(t["cmd"][0], build))
' "${suites[@]}" "$build")

names=()
programs=()
for line in "${found[@]}"; do
  names+=("${line%% *}")
  programs+=("${line#* }")
done
for s in "${suites[@]}"; do
  if ! printf '%s\n' "${names[@]}" | grep -qx "$s"; then echo "sanitize: no test suite '$s' yet, skipped"; fi
done
if [ ${#names[@]} -eq 0 ]; then
  echo "sanitize: nothing to run"
  exit 0
fi

ninja -C "$build" "${programs[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 4 "${names[@]}"
