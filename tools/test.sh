#!/bin/sh
# Every test, from a fresh machine: build (CUDA compiled too when nvcc is found; its tests
# are skipped without a GPU), run all suites, then the tensor, autograd and io suites under
# AddressSanitizer and UndefinedBehaviorSanitizer. Ends with "N passed, N failed, N skipped".
#
# The closing line is printed on every way out (a failed install or build included) and is
# counted with grep alone: no interpreter that a fresh machine might lack stands between the
# tests and the line CI reads.
set -u
cd "$(dirname "$0")/.."
log=build/meson-logs/testlog.json

# closing_line PASSED FAILED SKIPPED
closing_line() {
  if [ "$3" -gt 0 ]; then echo "$1 passed, $2 failed, $3 skipped"; else echo "$1 passed, $2 failed"; fi
}

# How many suites meson recorded with this result ("OK", "SKIP", ...; "" for all of them).
results() {
  n=$(grep -c "\"result\": \"$1" "$log" 2>/dev/null)
  echo "${n:-0}"
}

if ! tools/setup.sh build -Dcuda=auto; then
  echo "test.sh: installing or building failed (see above)"
  closing_line 0 1 0
  exit 1
fi
rm -f "$log"  # so that a run that cannot start is not counted from an older log
meson test -C build --print-errorlogs --num-processes 1
sanitize=0  # 0: not run, 1: passed, 2: failed
if [ "${DN_SKIP_SANITIZE:-0}" != 1 ]; then
  if tools/sanitize.sh tensor autograd io; then sanitize=1; else sanitize=2; fi
fi

# A suite is one test; EXPECTEDFAIL is a passing check of a failure; the sanitizer run is one
# more test.
if [ -f "$log" ]; then
  skipped=$(results SKIP)
  passed=$(($(results OK) + $(results EXPECTEDFAIL)))
  failed=$(($(results "") - passed - skipped))
else
  echo "test.sh: meson recorded no results ($log is missing)"
  passed=0 failed=1 skipped=0
fi
[ "$sanitize" = 1 ] && passed=$((passed + 1))
[ "$sanitize" = 2 ] && failed=$((failed + 1))
closing_line "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
