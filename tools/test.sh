#!/bin/sh
# Every test, from a fresh machine: build (the CUDA backend too when nvcc is found, for one
# GPU architecture: enough to prove that it compiles; its tests skip without a GPU), run all
# suites, then the sanitizer run (tools/sanitize.sh). Ends with "N passed, N failed, N
# skipped".
#
# The sanitizer build overlaps the suites (see below). Nothing can pass by not running: meson's own exit status counts, a registered suite that
# left no result is a failure, a sanitizer run that cannot start is a failure, and the
# closing line is printed on every way out (a failed install or build included). Each
# phase's time is printed. DN_SKIP_SANITIZE=1 leaves the sanitizer run out (it then counts
# as skipped, not passed).
set -u
cd "$(dirname "$0")/.."
log=build/meson-logs/testlog.json

# closing_line PASSED FAILED SKIPPED
closing_line() {
  if [ "$3" -gt 0 ]; then echo "$1 passed, $2 failed, $3 skipped"; else echo "$1 passed, $2 failed"; fi
}

started=$(date +%s)
phase_start=$started
phase_done() {  # NAME: prints how long the phase took
  now=$(date +%s)
  echo "test.sh: $1 took $((now - phase_start)) s"
  phase_start=$now
}

if ! tools/setup.sh build -Dcuda=auto -Dgpu_archs="${DN_TEST_GPU_ARCH:-90}"; then
  echo "test.sh: installing or building failed (see above)"
  closing_line 0 1 0
  exit 1
fi
phase_done "install and build"

# The sanitizer build runs in the background, at low priority, while the suites run: most
# suites keep only one of the two cores busy, so it costs them little and saves minutes.
sanitize_log=build/meson-logs/sanitize-build.log
if [ "${DN_SKIP_SANITIZE:-0}" != 1 ]; then
  nice -n 15 tools/sanitize.sh --build-only >"$sanitize_log" 2>&1 &
  sanitize_build=$!
fi

rm -f "$log"  # so that a run that cannot start is not counted from an older log
registered=$(meson test -C build --no-rebuild --list 2>/dev/null | grep -c ' / ')  # lines "project / test"
meson test -C build --print-errorlogs --num-processes 1
meson_status=$?
phase_done "the test suites"

sanitize=0  # 0: not run, 1: passed, 2: failed
if [ "${DN_SKIP_SANITIZE:-0}" != 1 ]; then
  if wait "$sanitize_build"; then
    phase_done "the rest of the sanitizer build"
    if tools/sanitize.sh; then sanitize=1; else sanitize=2; fi
  else
    echo "test.sh: the sanitizer build failed:"
    tail -n 40 "$sanitize_log"
    sanitize=2
  fi
  phase_done "the sanitizer run"
fi

summary=$(/usr/bin/python3 tools/test_summary.py build "$registered")
summary_status=$?
echo "$summary" | grep -v '^counts '
set -- $(echo "$summary" | grep '^counts ' | tail -n 1)
if [ "$summary_status" -ne 0 ] || [ $# -ne 4 ]; then
  echo "test.sh: could not read meson's results"
  set -- counts 0 1 0
fi
passed=$2 failed=$3 skipped=$4
if [ "$meson_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: meson test exited with status $meson_status"
  failed=1
fi
[ "$sanitize" = 0 ] && skipped=$((skipped + 1)) && echo "skipped: sanitizers: DN_SKIP_SANITIZE=1"
[ "$sanitize" = 1 ] && passed=$((passed + 1))
[ "$sanitize" = 2 ] && failed=$((failed + 1))
echo "test.sh: everything took $(($(date +%s) - started)) s"
closing_line "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
