#!/usr/bin/env bash
# Accounting over every conformance capture: the packets of all written flows (basicStats'
# pktsSnt, A and B rows) add up to the report's A+B packets; with the packets without a
# flow they make the packets read, which tshark counts independently, as it sums the
# captured bytes; A and B flows see each other's packets (pktsRcvd).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
shared=${T2_SHARED:-$(cd "$here/../shared" && pwd)}
t2="$here/.build/release/t2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi; }
"$here/tools/install-plugins" basicFlow basicStats txtSink "$work/pl" > /dev/null
field() { local v; v=$(grep "^$1" "$2" | head -1 | sed 's/.*: \([0-9]*\).*/\1/'); echo "${v:-0}"; }
n=0
for pcap in "$shared"/conformance/pcaps/*.pcap "$shared"/conformance/pcaps/*.pcapng; do
    stem=$(basename "${pcap%.*}")
    out="$work/$stem"
    "$t2" -p "$work/pl" -r "$pcap" -w "$out" > "$out.report" 2>&1
    read -r flowpkts bpkts arcvd < <(awk -F'\t' 'NR==1{for(i=1;i<=NF;i++){if($i=="pktsSnt")s=i; if($i=="pktsRcvd")r=i}; next}
        {t+=$s; if($1=="B") b+=$s; if($1=="A") a+=$r} END{print t+0, b+0, a+0}' "${out}_flows.txt")
    a=$(field "Number of A packets" "$out.report")
    b=$(field "Number of B packets" "$out.report")
    without=$(field "Number of packets without flow" "$out.report")
    read_=$(field "Number of processed packets" "$out.report")
    bytes=$(field "Number of processed bytes" "$out.report")
    ab=$(( $(field "Number of A bytes" "$out.report") + $(field "Number of B bytes" "$out.report") ))
    read -r tpkts tbytes < <(tshark -r "$pcap" -T fields -e frame.cap_len 2>/dev/null | awk '{n++; s+=$1} END{print n+0, s+0}')
    check "$stem: flows' packets = A+B packets ($flowpkts)" '[ "$flowpkts" = $((a + b)) ]'
    check "$stem: A+B + without flow = packets read" '[ $((a + b + without)) = "$read_" ]'
    check "$stem: packets read = tshark's ($tpkts)" '[ "$read_" = "$tpkts" ]'
    check "$stem: bytes read = tshark's captured bytes ($tbytes)" '[ "$bytes" = "$tbytes" ]'
    [ "$without" = 0 ] && check "$stem: A+B bytes = bytes read" '[ "$ab" = "$bytes" ]'
    check "$stem: B flows' packets = what A flows received" '[ "$bpkts" = "$arcvd" ]'
    n=$((n + 1))
done
echo "test_accounting ($n captures): $pass passed, $fail failed"
[ $fail -eq 0 ]
