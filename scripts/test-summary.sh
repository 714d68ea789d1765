#!/usr/bin/env bash
# Prints `tests: N passed, M failed` from a TRX file (the counters the test host wrote).
set -u
trx=${1:-TestResults/results.trx}
if [ ! -f "$trx" ]; then
  echo "tests: 0 passed, 1 failed"
  echo "(no test results at $trx: the test run did not complete)" >&2
  exit 0
fi
counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
passed=$(get passed); failed=$(get failed); errors=$(get error); timeout=$(get timeout); aborted=$(get aborted)
failed=$(( ${failed:-0} + ${errors:-0} + ${timeout:-0} + ${aborted:-0} ))
# CI keeps only the tail of the output: name the failed tests (each with its message's first line) just above the count.
if [ "$failed" -gt 0 ]; then
  awk '
    /<UnitTestResult / { name = ""; if (match($0, /testName="[^"]*"/)) name = substr($0, RSTART + 10, RLENGTH - 11); bad = ($0 ~ /outcome="Failed"/) }
    bad && /<Message>/ { sub(/.*<Message>/, ""); sub(/<\/Message>.*/, ""); print "failed: " name "\n  " substr($0, 1, 300); bad = 0; if (++shown >= 20) exit }
  ' "$trx"
fi
echo "tests: ${passed:-0} passed, ${failed} failed"
