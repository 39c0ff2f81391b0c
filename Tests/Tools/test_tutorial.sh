#!/usr/bin/env bash
# The tutorial end to end (tools/tutorial) on an empty plugin folder, checked against
# the tutorial's rule applied to tshark's view of the sample capture: per flow (one
# direction of a TCP connection), the TCP packets and those with a zero window; per
# IPv4 source address, the flow with the highest ratio among flows with at least
# TCPWIN_MINPKTS packets; sorted by ratio, highest first. Then TCPWIN_MINPKTS is changed
# with t2conf, tcpWin rebuilt with t2build, and the summary must change accordingly.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
export HOME="$work/home"
mkdir -p "$HOME"
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
restore() {
    "$here/.build/release/t2conf" tcpWin -D TCPWIN_MINPKTS=default >/dev/null 2>&1
    rm -rf "$work"
}
trap restore EXIT
pcap="$here/samples/loopback_zw.pcap"

# The expected table, from tshark only.
expected() {  # MINPKTS
    tshark -r "$pcap" -Y "tcp && ip" -T fields -E separator=/t -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
        -e tcp.window_size_value 2>/dev/null | python3 -c '
import sys
minpkts = int(sys.argv[1])
flows = {}
for line in sys.stdin:
    src, sp, dst, dp, win = line.rstrip("\n").split("\t")
    f = flows.setdefault((src, sp, dst, dp), [0, 0])
    f[0] += 1
    f[1] += win == "0"
best = {}
for (src, sp, dst, dp), (pkts, zero) in flows.items():
    if zero == 0 or pkts < minpkts:
        continue
    ratio = zero / pkts
    if src not in best or ratio > best[src][1]:
        best[src] = (pkts, ratio)
for src, (pkts, ratio) in sorted(best.items(), key=lambda kv: -kv[1][1]):
    print(f"{src}\t{pkts}\t{ratio:f}")
' "$1"
}
# Our table: the tutorial's tawk command, without the column alignment.
ours() { "$here/tools/tawk" -H -s '#' 't2sort(winRelThCnt)' "$1"; }

"$here/tools/tutorial" > "$work/tutorial.log" 2>&1; rc=$?
check "tools/tutorial runs to the end" '[ $rc -eq 0 ]'
check "the plugin folder holds exactly what the tutorial built" \
    '[ "$(ls "$HOME/.tranalyzer/plugins" | tr "\n" " ")" = "100_basicFlow.so 150_tcpWin.so 901_txtSink.so " ]'
summary="$HOME/results/loopback_zw_tcpwin.txt"
want=$(expected 50)
check "summary table equals tshark + the tutorial's rule ($(echo "$want" | wc -l) lines)" \
    '[ -n "$want" ] && [ "$(ours "$summary")" = "$want" ] && [ "$(echo "$want" | wc -l)" -ge 3 ]'
check "the tutorial printed the aligned table" 'grep -q "^# IP  *pktTcpCnt  *winRelThCnt" "$work/tutorial.log"'
check "TCPWIN_MINPKTS was reset at the end" '[ "$("$here/.build/release/t2conf" tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 50" ]'

# Changing TCPWIN_MINPKTS reaches the binary: 70 leaves some flows out.
source "$here/tools/t2_aliases"
t2conf tcpWin -D TCPWIN_MINPKTS=70 >/dev/null
t2build tcpWin > "$work/build70.log" 2>&1
t2 -r "$pcap" -w "$work/min70/" > "$work/run70.log" 2>&1
want70=$(expected 70)
check "TCPWIN_MINPKTS=70 changes the summary as tshark predicts" \
    '[ "$(ours "$work/min70/loopback_zw_tcpwin.txt")" = "$want70" ] && [ "$want70" != "$want" ]'
t2conf tcpWin -D TCPWIN_MINPKTS=default >/dev/null
t2build tcpWin > "$work/build50.log" 2>&1
t2 -r "$pcap" -w "$work/min50/" > "$work/run50.log" 2>&1
check "and back to 50" '[ "$(ours "$work/min50/loopback_zw_tcpwin.txt")" = "$want" ]'

echo "test_tutorial: $pass passed, $fail failed"
[ $fail -eq 0 ]
