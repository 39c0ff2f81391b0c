#!/usr/bin/env bash
# txtSink renders flows on a second thread (TFS_THREADED). The files must be the same
# bytes as on the packet thread: every conformance capture with the default set, a
# big capture whose flows fill many batches, a record larger than a batch, and -W
# splitting (the fragments are cut on the writer thread).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
shared=${T2_SHARED:-$(cd "$here/../shared" && pwd)}
t2="$here/.build/release/t2"
pcaps="$shared/conformance/pcaps"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

plugins="$work/plugins"
"$here/tools/install-plugins" default "$plugins" >/dev/null
cd "$work"

# Every file of two runs, byte for byte, except the headers file's date, PID and
# command line.
samefiles() {
    local a=$1 b=$2 diffs=0
    [ "$(cd "$a" && ls | sort)" = "$(cd "$b" && ls | sort)" ] || { echo "  file lists differ"; return 1; }
    for f in $(cd "$a" && ls | grep -v '^stdout$'); do
        case $f in
            *_headers.txt) cmp -s <(grep -v '^# \(Date\|PID\|Command line\):' "$a/$f") \
                                  <(grep -v '^# \(Date\|PID\|Command line\):' "$b/$f") ;;
            *) cmp -s "$a/$f" "$b/$f" ;;
        esac || { diffs=$((diffs + 1)); echo "  differs: $f"; }
    done
    [ $diffs -eq 0 ]
}

# Runs t2 twice (TFS_THREADED=0 and 1) with the same arguments and compares.
same() {
    local name=$1; shift
    rm -rf t0 t1; mkdir t0 t1
    TFS_THREADED=0 "$t2" -p "$plugins" "$@" -w t0/o > t0/stdout 2>&1
    TFS_THREADED=1 "$t2" -p "$plugins" "$@" -w t1/o > t1/stdout 2>&1
    samefiles t0 t1 && [ -s t1/o_flows.txt -o -s t1/o_flows.txt0 ] && ok "$name" || ko "$name"
}

n=0
for p in "$pcaps"/*.pcap*; do
    same "identical: $(basename "$p")" -r "$p"
    n=$((n + 1))
done

# Many batches: the same capture 40 times over (thousands of flows, > 1 MB of records).
caps=()
for i in $(seq 40); do caps+=("$pcaps/pathspider_real.pcap"); done
printf '%s\n' "${caps[@]}" > list.txt
same "identical: 40 x pathspider_real via -R (many batches)" -R list.txt

# Splitting by flow count and by size happens on the writer thread.
same "identical: -W by flow count" -r "$pcaps/pathspider_real.pcap" -W t:100f
rm -rf t0 t1; mkdir t0 t1
TFS_THREADED=0 "$t2" -p "$plugins" -r "$pcaps/pathspider_real.pcap" -W t0/w:20K > /dev/null 2>&1
TFS_THREADED=1 "$t2" -p "$plugins" -r "$pcaps/pathspider_real.pcap" -W t1/w:20K > /dev/null 2>&1
if [ "$(ls t0 | wc -l)" -gt 3 ] && samefiles t0 t1; then ok "identical: -W by size ($(ls t0 | wc -l) files)"; else ko "identical: -W by size"; fi

echo "threaded: $pass ok, $fail failed"
[ $fail -eq 0 ]
