#!/usr/bin/env bash
# Runs every Tests/Tools script and ends with one summary line for all of them.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
passed=0
failed=0
for t in "$HERE"/test_*.sh; do
    echo "== ${t##*/}"
    out=$(bash "$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    summary=$(tail -n 1 <<< "$out")
    if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
    fi
    # A script that died before its summary still counts as a failure.
    if ((rc != 0)) && [[ ! $summary =~ passed ]]; then failed=$((failed + 1)); fi
done
echo "tools: $passed passed, $failed failed"
((failed == 0))
