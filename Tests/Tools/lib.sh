# Shared by the Tests/Tools scripts: one line per check, a summary line, and the exit
# status (non-zero when any check failed).

passed=0
failed=0

_ok() { passed=$((passed + 1)); echo "ok - $1"; }
_fail() { failed=$((failed + 1)); echo "FAIL - $1"; }

# same NAME EXPECTED ACTUAL: on a difference the first differing lines are shown.
same() {
    if [[ $2 == "$3" ]]; then
        _ok "$1"
    else
        _fail "$1"
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -n 10 | sed 's/^/    /'
    fi
}

# check NAME COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    if "$@" >/dev/null 2>&1; then _ok "$name"; else _fail "$name"; fi
}

finish() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
}
