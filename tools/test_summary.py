#!/usr/bin/python3
"""Reads meson's test log and says what ran: each suite's result and duration, why each
skipped suite skipped, and whether every registered suite ran at all.

    /usr/bin/python3 tools/test_summary.py BUILD_DIR REGISTERED_COUNT

Prints the report, then a last line "counts PASSED FAILED SKIPPED" for tools/test.sh. A
suite missing from the log (fewer results than registered) counts as failed. Uses only the
standard library (meson's own interpreter runs it).
"""
import json
import os
import sys


def skip_reason(entry):
    out = (entry.get("stdout") or "") + (entry.get("stderr") or "")
    lines = [l.strip() for l in out.splitlines()
             if l.startswith("SKIP") or "skipping" in l or l.startswith("skipped")]
    return "; ".join(dict.fromkeys(lines)) or "no reason printed"


def main():
    build, registered = sys.argv[1], int(sys.argv[2])
    log = os.path.join(build, "meson-logs", "testlog.json")
    entries = []
    if os.path.exists(log):
        with open(log) as f:
            entries = [json.loads(line) for line in f if line.strip()]
    passed = failed = skipped = 0
    print("suite results (seconds):")
    for e in sorted(entries, key=lambda e: -e.get("duration", 0)):
        result = e["result"]
        print(f"  {e['name']:<28} {result:<13} {e.get('duration', 0):7.1f}")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
    for e in entries:
        if e["result"] == "SKIP":
            print(f"skipped: {e['name']}: {skip_reason(e)}")
    if len(entries) < registered:
        missing = registered - len(entries)
        print(f"test.sh: {registered} suites are registered but only {len(entries)} ran")
        failed += missing
    print(f"counts {passed} {failed} {skipped}")


if __name__ == "__main__":
    main()
