#!/bin/sh
# expect_error.sh PROGRAM [ARGS...]: runs a command that must refuse its input the way every
# binary of the project does (docs/architecture.md §4): a plain non-zero exit status and one
# line on stderr that says "error". A crash (a signal: status above 125), a success, or a
# silent or many-line failure all fail this test, where meson's should_fail would count a
# crash as the expected failure.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
status=$?
lines=$(grep -c '' "$err")
echo "exit status $status; stderr:"
cat "$err"
if [ "$status" -eq 0 ]; then echo "FAIL: the command succeeded"; exit 1; fi
if [ "$status" -gt 125 ]; then echo "FAIL: the command crashed (status $status)"; exit 1; fi
if [ "$lines" -ne 1 ] || ! grep -q 'error' "$err"; then
  echo "FAIL: expected one line naming the error on stderr, got $lines"; exit 1
fi
exit 0
