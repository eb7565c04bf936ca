#!/bin/sh
# Every test, from a fresh machine: build (CUDA compiled too when nvcc is found; its tests
# are skipped without a GPU), run all suites, then the tensor, autograd and io suites under
# AddressSanitizer and UndefinedBehaviorSanitizer. Ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
tools/setup.sh build -Dcuda=auto || { echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 1
status=$?
sanitize_failed=0
if [ "${DN_SKIP_SANITIZE:-0}" != 1 ]; then
  tools/sanitize.sh tensor autograd io || sanitize_failed=1
fi
# The closing line, counted from meson's log (a suite is one test); the sanitizer run
# counts as one more test.
python3 - "$sanitize_failed" "${DN_SKIP_SANITIZE:-0}" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open("build/meson-logs/testlog.json"):
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"): passed += 1
    elif r == "SKIP": skipped += 1
    else: failed += 1
if sys.argv[2] != "1":
    if sys.argv[1] == "1": failed += 1
    else: passed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
PY
