# Shared by the integration tests (sourced).

# read_past PID FILE PERCENT: waits until process PID has read PERCENT of FILE (its file
# offset, from /proc), so that a signal lands mid-file however fast t2 is. Fails if the
# process ends first or after 10 s.
read_past() {
    local pid=$1 file=$2 pct=$3 size fd pos
    size=$(stat -c %s "$file")
    file=$(readlink -f "$file")
    for _ in $(seq 2000); do
        for fd in /proc/$pid/fd/*; do
            [ "$(readlink "$fd" 2>/dev/null)" = "$file" ] || continue
            pos=$(awk '/^pos:/{print $2}' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null)
            [ -n "$pos" ] && [ "$pos" -ge $((size * pct / 100)) ] && return 0
        done
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.005
    done
    return 1
}

# signal_twice PID SIG: sends SIG, waits until the process has taken it (no longer
# pending in /proc/PID/status: two signals sent back to back would merge into one),
# then sends it again at once. Python polls in microseconds; t2's final flush after
# the first signal takes milliseconds.
signal_twice() {
    python3 - "$1" "$2" <<'PY'
import os, signal, sys
pid, sig = int(sys.argv[1]), getattr(signal, 'SIG' + sys.argv[2])
bit = 1 << (sig - 1)
os.kill(pid, sig)
for _ in range(1_000_000):
    try:
        with open(f'/proc/{pid}/status') as f:
            pending = 0
            for line in f:
                if line.startswith(('SigPnd:', 'ShdPnd:')):
                    pending |= int(line.split()[1], 16)
    except OSError:
        break
    if not pending & bit:
        break
try:
    os.kill(pid, sig)
except ProcessLookupError:
    pass
PY
}

# blocked_in_write PID: waits until process PID sits in write(2) (e.g. on a full pipe
# nobody reads), so that it cannot finish whatever a signal starts. Fails after 10 s.
blocked_in_write() {
    local pid=$1
    for _ in $(seq 2000); do
        [ "$(cut -d' ' -f1 /proc/"$pid"/syscall 2>/dev/null)" = 1 ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.005
    done
    return 1
}
