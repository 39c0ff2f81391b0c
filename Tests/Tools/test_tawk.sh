#!/usr/bin/env bash
# Tests of tools/tawk on T2's reference output files (../shared/conformance). Expected
# results come from ref.py (Python), sort/cut pipelines, or the spec's verified examples,
# never from tawk itself.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${T2_SHARED:-$(cd "$ROOT/../shared" 2>/dev/null && pwd)}
CONF=$SHARED/conformance
TAWK=$ROOT/tools/tawk
REF=(python3 "$HERE/ref.py")
export NO_COLOR=1
export LC_ALL=C

source "$HERE/lib.sh"

if [[ ! -d $CONF ]]; then
    echo "conformance files not found (set T2_SHARED)"
    exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

HTTP=$CONF/tutorial/dpkt_http/dpkt_http_flows.txt
REAL=$CONF/default/pathspider_real/pathspider_real_flows.txt
V6=$CONF/default/dpkt_nb6-http_pppoe_ipv6/dpkt_nb6-http_pppoe_ipv6_flows.txt
ZW=$CONF/tutorial/zw/zw_tcpwin.txt

# ---------------------------------------------------------------------------------------
# t2sort / t2rsort

same "t2sort(duration): all rows, descending, header first" \
    "$("${REF[@]}" sort "$HTTP" duration)" "$("$TAWK" 't2sort(duration)' "$HTTP")"
same "t2sort(duration): the spec's verified durations" \
    "30.06 29.48 1.79 1.13 0 0" \
    "$("$TAWK" 't2sort(duration)' "$HTTP" | gawk -F'\t' 'NR > 1 { printf "%s%.2f", (NR > 2 ? " " : ""), $6 }' | sed 's/\.00//g')"
same "t2rsort(duration, 3): ascending, first 3" \
    "$("${REF[@]}" sort "$HTTP" duration asc 3)" "$("$TAWK" 't2rsort(duration, 3)' "$HTTP")"
same "t2sort(duration, -2): flipped order, 2 rows" \
    "$("${REF[@]}" sort "$HTTP" duration desc -2)" "$("$TAWK" 't2sort(duration, -2)' "$HTTP")"
same "t2sort(pktsSnt) on 12393 flows" \
    "$("${REF[@]}" sort "$REAL" pktsSnt)" "$("$TAWK" 't2sort(pktsSnt)' "$REAL")"
same "t2sort(flowInd \";\" dir): two keys" \
    "$("${REF[@]}" sort "$REAL" 'flowInd;dir')" "$("$TAWK" 't2sort(flowInd ";" dir)' "$REAL")"
same "t2sort(timeFirst, 0, \"str\"): forced string order" \
    "$("${REF[@]}" sort "$REAL" timeFirst desc 0 str)" "$("$TAWK" 't2sort(timeFirst, 0, "str")' "$REAL")"
same "t2sort(dstPort, 10): top 10 against sort -g" \
    "$(head -1 "$REAL"; tail -n +2 "$REAL" | sort -t $'\t' -grk17,17 | head -n 10)" \
    "$("$TAWK" 't2sort(dstPort, 10)' "$REAL")"
gawk -F'\t' 'NR == 1 || $14 ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/' "$REAL" > "$TMP/ipv4only.txt"
same "t2sort(srcIP): dotted IPv4 sorted numerically" \
    "$("${REF[@]}" sort "$TMP/ipv4only.txt" srcIP)" "$("$TAWK" 't2sort(srcIP)' "$TMP/ipv4only.txt")"
same "-H t2sort: no header row" \
    "$("${REF[@]}" sort "$HTTP" duration | tail -n +2)" "$("$TAWK" -H 't2sort(duration)' "$HTTP")"
same "t2sort from stdin equals t2sort from the file" \
    "$("${REF[@]}" sort "$REAL" pktsSnt)" "$("$TAWK" 't2sort(pktsSnt)' < "$REAL")"
same "tutorial: tawk -s '#' 't2sort(winRelThCnt)' zw_tcpwin.txt" \
    "$(cat "$ZW")" "$("$TAWK" -s '#' 't2sort(winRelThCnt)' "$ZW")"

# A bigger '# '-prefixed summary file, like the tutorial's annoloc2_tcpwin.txt.
python3 - "$TMP/tcpwin.txt" <<'EOF'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write("# IP\tpktTcpCnt\twinRelThCnt\n")
    for i in range(300):
        f.write("10.%d.%d.%d\t%d\t%.6f\n" % (random.randrange(256), random.randrange(256),
                random.randrange(256), random.randrange(50, 3000), random.random()))
EOF
expected=$(head -1 "$TMP/tcpwin.txt"; tail -n +2 "$TMP/tcpwin.txt" | python3 -c '
import sys
rows = sys.stdin.read().splitlines()
print("\n".join(sorted(rows, key=lambda l: (float(l.split("\t")[2]), l), reverse=True)))')
same "-s '#': t2sort(winRelThCnt) on 300 rows" "$expected" "$("$TAWK" -s '#' 't2sort(winRelThCnt)' "$TMP/tcpwin.txt")"
same "-s '#': t2sort(IP) sorts addresses numerically" \
    "$(head -1 "$TMP/tcpwin.txt"; tail -n +2 "$TMP/tcpwin.txt" | sort -t $'\t' -Vr -k1,1)" \
    "$("$TAWK" -s '#' 't2sort(IP)' "$TMP/tcpwin.txt")"

# ---------------------------------------------------------------------------------------
# Column names

same "-l: column numbers and sanitised names" "$("${REF[@]}" names "$REAL")" "$("$TAWK" -l "$REAL")"
same "\$srcIP is the srcIP column" "$("${REF[@]}" cols "$REAL" srcIP)" "$("$TAWK" '{ print $srcIP }' "$REAL")"
same "COL[] maps both ways" "14 srcIP" "$("$TAWK" -O ' ' 'BEGIN { print COL["srcIP"], COL[COL["srcIP"]]; exit }' "$HTTP")"
printf '%%src IP\ta.b\t3x\tx(y)\t{a}[b]-c/d\n1\t2\t3\t4\t5\n' > "$TMP/names.txt"
same "name sanitising: ' (){}[]-./' -> '_', leading digit -> '_' prefix" \
    "1 2 3 4 5" "$("$TAWK" '!hdr() { print $src_IP, $a_b, $_3x, $x_y_, $_a__b__c_d }' -O ' ' "$TMP/names.txt")"
printf 'comment\nmore\nname\tlength\tvalue\n1\t2\t3\n' > "$TMP/hdrnum.txt"
same "-N 3: column names on row 3" "3 1" "$("$TAWK" -N 3 -O ' ' '!hdr() && NR > 3 { print $value, $name }' "$TMP/hdrnum.txt")"
same "-N3 (attached) works too" "3" "$("$TAWK" -N3 'NR > 3 { print $value }' "$TMP/hdrnum.txt")"
same "a name clashing with a builtin stays reachable through COL" \
    "2" "$("$TAWK" -N 3 'NR > 3 { print $COL["length"] }' "$TMP/hdrnum.txt" 2>/dev/null)"
same "-r renames the clashing name" "2" "$("$TAWK" -r -N 3 'NR > 3 { print $length_ }' "$TMP/hdrnum.txt")"
out=$("$TAWK" -t -N 3 '{ print }' "$TMP/hdrnum.txt" 2>&1); rc=$?
same "-t rejects clashing names" \
    "The following column names clash with gawk/tawk builtins: length|1" "$out|$rc"
out=$("$TAWK" -t '{ print $srcIp }' "$HTTP" 2>&1); rc=$?
same "-t: unknown column with a suggestion" $'Column \'srcIp\' not found\nDid you mean \'srcIP\'?|1' "$out|$rc"
printf 'a,b,c\n1,"x,y",3\n4,5,6\n' > "$TMP/f.csv"
same "--csv: names from row 1, quoted commas kept" \
    $'a,c\n1,3\n4,6|"x,y"' "$("$TAWK" --csv '{ print $a, $c }' "$TMP/f.csv")|$("$TAWK" --csv 'NR == 2 { print $b }' "$TMP/f.csv")"
same "-O ',': output separator" "$("${REF[@]}" cols "$HTTP" srcIP dstIP | tr '\t' ',')" \
    "$("$TAWK" -O ',' '{ print $srcIP, $dstIP }' "$HTTP")"
tr '\t' ';' < "$HTTP" > "$TMP/semi.txt"
same "-F ';': input separator" "$("${REF[@]}" cols "$HTTP" srcPort)" "$("$TAWK" -F ';' '{ print $srcPort }' "$TMP/semi.txt")"
same "-I FILE: input file before the program" \
    "$("${REF[@]}" cols "$HTTP" dstIP)" "$("$TAWK" -I "$HTTP" '{ print $dstIP }')"

# ---------------------------------------------------------------------------------------
# Selections

for f in "$CONF"/default/*/*_flows.txt; do
    stem=$(basename "$f" _flows.txt)
    same "hdr() || bitsanyset(\$flowStat, 1) = header + B flows ($stem)" \
        "$("${REF[@]}" filter "$f" 'int(r["flowStat"], 16) & 1')" "$("$TAWK" 'hdr() || bitsanyset($flowStat, 1)' "$f")"
done
same "spec example: bitsanyset(\$flowStat, 1) selects the header and the B flows (awk)" \
    "$(gawk -F'\t' 'NR == 1 || $1 == "B"' "$HTTP")" "$("$TAWK" 'bitsanyset($flowStat, 1)' "$HTTP")"
same "bitsallset(\$flowStat, \"0x0400000000004001\")" \
    "$("${REF[@]}" filter "$REAL" 'int(r["flowStat"], 16) & 0x0400000000004001 == 0x0400000000004001')" \
    "$("$TAWK" 'bitsallset($flowStat, "0x0400000000004001")' "$REAL")"
same "bitsanyset(\$tcpAnomaly, 0x0200) with a hex mask" \
    "$("${REF[@]}" filter "$REAL" 'int(r["tcpAnomaly"], 16) & 0x0200')" "$("$TAWK" 'bitsanyset($tcpAnomaly, "0x0200")' "$REAL")"
same "-H: bitsanyset drops the header" \
    "$("${REF[@]}" filter "$HTTP" 'int(r["flowStat"], 16) & 1' | tail -n +2)" "$("$TAWK" -H 'bitsanyset($flowStat, 1)' "$HTTP")"

same "host(\"10.0.0.0/8\")" \
    "$("${REF[@]}" filter "$REAL" 'any(":" not in r[c] and "." in r[c] and ip.ip_address(r[c]) in ip.ip_network("10.0.0.0/8") for c in ("srcIP", "dstIP"))')" \
    "$("$TAWK" 'host("10.0.0.0/8")' "$REAL")"
same "shost(\"10.64.88.0/21\")" \
    "$("${REF[@]}" filter "$REAL" '"." in r["srcIP"] and ":" not in r["srcIP"] and ip.ip_address(r["srcIP"]) in ip.ip_network("10.64.88.0/21")')" \
    "$("$TAWK" 'shost("10.64.88.0/21")' "$REAL")"
same "dhost(\"10.151.119.2\"): exact address" \
    "$("${REF[@]}" filter "$REAL" 'r["dstIP"] == "10.151.119.2"')" "$("$TAWK" 'dhost("10.151.119.2")' "$REAL")"
addr6=$(gawk -F'\t' 'NR > 1 && $14 ~ /:/ { print $14; exit }' "$V6")
long6=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]).exploded.upper())' "$addr6")
same "host(<IPv6 in full uppercase form>) matches the compressed address" \
    "$("${REF[@]}" filter "$V6" "'$addr6' in (r['srcIP'], r['dstIP'])")" "$("$TAWK" "host(\"$long6\")" "$V6")"
net6=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1] + "/64", strict=False))' "$addr6")
same "host(\"$net6\"): IPv6 network" \
    "$("${REF[@]}" filter "$V6" "any(':' in r[c] and ip.ip_address(r[c]) in ip.ip_network('$net6') for c in ('srcIP', 'dstIP'))")" \
    "$("$TAWK" "host(\"$net6\")" "$V6")"
same "host(\"0.0.0.0/0\") never matches IPv6 flows" \
    "$("${REF[@]}" filter "$V6" "any('.' in r[c] and ':' not in r[c] for c in ('srcIP', 'dstIP'))")" \
    "$("$TAWK" 'host("0.0.0.0/0")' "$V6")"
same "shost() without argument returns the address" "$("${REF[@]}" cols "$HTTP" srcIP)" "$("$TAWK" '{ print shost() }' "$HTTP")"

same "dport(\"80;443\"): port list" \
    "$("${REF[@]}" count "$REAL" 'r["dstPort"] in ("80", "443")')" "$("$TAWK" -H 'dport("80;443")' "$REAL" | wc -l)"
same "port(\"1-1024\"): port range on either side" \
    "$("${REF[@]}" filter "$REAL" 'any(r[c] and 1 <= int(r[c]) <= 1024 for c in ("srcPort", "dstPort"))')" \
    "$("$TAWK" 'port("1-1024")' "$REAL")"
same "sport(0x35): hex port" \
    "$("${REF[@]}" filter "$CONF/default/dpkt_dns_icmp/dpkt_dns_icmp_flows.txt" 'r["srcPort"] == "53"')" \
    "$("$TAWK" 'sport("0x35")' "$CONF/default/dpkt_dns_icmp/dpkt_dns_icmp_flows.txt")"

for p in tcp:6 udp:17 icmp:1 icmp6:58 igmp:2 gre:47 sctp:132; do
    fn=${p%:*}; num=${p#*:}
    same "$fn() selects l4Proto $num" \
        "$("${REF[@]}" filter "$REAL" "r['l4Proto'] == '$num'")" "$("$TAWK" "$fn()" "$REAL")"
done
same "icmp6() on an ICMPv6 capture" \
    "$("${REF[@]}" filter "$CONF/default/libtrace_icmp6-sample/libtrace_icmp6-sample_flows.txt" "r['l4Proto'] == '58'")" \
    "$("$TAWK" 'icmp6()' "$CONF/default/libtrace_icmp6-sample/libtrace_icmp6-sample_flows.txt")"
same "proto(\"udp\") by name" "$("${REF[@]}" filter "$REAL" "r['l4Proto'] == '17'")" "$("$TAWK" 'proto("udp")' "$REAL")"
same "proto(\"6;17\") by list" "$("${REF[@]}" filter "$REAL" "r['l4Proto'] in ('6', '17')")" "$("$TAWK" 'proto("6;17")' "$REAL")"
same "proto2str() agrees with IANA's protocol registry" \
    "$(gawk -F'\t' '$1 <= 142 { print $2 }' "$SHARED/data/proto.txt")" \
    "$("$TAWK" 'BEGIN { for (i = 0; i <= 142; i++) print proto2str(i); exit }' "$HTTP")"
same "ipv4() follows flowStat bit 0x4000" \
    "$("${REF[@]}" filter "$V6" 'int(r["flowStat"], 16) & 0x4000')" "$("$TAWK" 'ipv4()' "$V6")"
same "ipv6() follows flowStat bit 0x8000" \
    "$("${REF[@]}" filter "$V6" 'int(r["flowStat"], 16) & 0x8000')" "$("$TAWK" 'ipv6()' "$V6")"

# ---------------------------------------------------------------------------------------
# Tuples

same "tuple2()" "$("${REF[@]}" cols "$REAL" srcIP dstIP)" "$("$TAWK" '{ print tuple2() }' "$REAL")"
same "tuple3()" "$("${REF[@]}" cols "$REAL" srcIP dstIP dstPort)" "$("$TAWK" '{ print tuple3() }' "$REAL")"
same "tuple4(): srcIP, srcPort, dstIP, dstPort" \
    "$("${REF[@]}" cols "$HTTP" srcIP srcPort dstIP dstPort)" "$("$TAWK" '{ print tuple4() }' "$HTTP")"
same "tuple5()" "$("${REF[@]}" cols "$REAL" srcIP srcPort dstIP dstPort l4Proto)" "$("$TAWK" '{ print tuple5() }' "$REAL")"
same "tuple6()" "$("${REF[@]}" cols "$REAL" srcIP srcPort dstIP dstPort l4Proto vlanID)" "$("$TAWK" '{ print tuple6() }' "$REAL")"
sed '1s/srcIP/srcIP4/; 1s/dstIP/dstIP4/' "$HTTP" > "$TMP/ip4.txt"
same "tuple4() accepts srcIP4/dstIP4" "$("${REF[@]}" cols "$HTTP" srcIP srcPort dstIP dstPort | tail -n +2)" \
    "$("$TAWK" '!hdr() { print tuple4() }' "$TMP/ip4.txt")"
out=$("$TAWK" '{ print tuple4() }' "$ZW" 2>&1); rc=$?
same "tuple4() without address columns: error, exit 1" \
    "None of the columns 'srcIP', 'srcIP4' or 'srcIP6' do exist|1" "$out|$rc"
cut -f1-14,16- "$HTTP" > "$TMP/noport.txt"
out=$("$TAWK" '{ print tuple4() }' "$TMP/noport.txt" 2>&1); rc=$?
same "tuple4() without srcPort: error, exit 1" "Column 'srcPort' does not exist|1" "$out|$rc"

# ---------------------------------------------------------------------------------------
# Aggregation and statistics

same "aggr(\$srcIP): flows per source address" "$("${REF[@]}" aggr "$REAL" srcIP)" "$("$TAWK" 'aggr($srcIP)' "$REAL")"
same "aggr(\$srcIP OFS \$dstIP, \$pktsSnt, 5): top 5 packet senders" \
    "$("${REF[@]}" aggr "$REAL" 'srcIP;dstIP' pktsSnt 5)" "$("$TAWK" 'aggr($srcIP OFS $dstIP, $pktsSnt, 5)' "$REAL")"
same "aggr(\$l4Proto) counts against cut | sort | uniq -c" \
    "$(cut -f18 "$REAL" | tail -n +2 | sort | uniq -c | sort -k1,1nr -k2,2 | gawk '{ print $2 "\t" $1 }' | sort)" \
    "$("$TAWK" -H 'aggr($l4Proto)' "$REAL" | sort)"
read -r rmax rmin rmean <<< "$("${REF[@]}" stat "$REAL" duration)"
read -r tmax tmin tmean <<< "$("$TAWK" 'max(duration); min(duration); mean(duration)' "$REAL" | tr '\n' ' ')"
same "max/min/mean(duration)" "ok" "$(python3 -c "
import sys
a = [float(x) for x in sys.argv[1:4]]; b = [float(x) for x in sys.argv[4:7]]
print('ok' if all(abs(x - y) <= 1e-5 * max(1, abs(x)) for x, y in zip(a, b)) else 'differ: %s %s' % (a, b))" \
    "$rmax" "$rmin" "$rmean" "$tmax" "$tmin" "$tmean")"

# ---------------------------------------------------------------------------------------
# Small functions (expected values from the spec's examples or computed by Python)

same "hrnum(2000) = 2 K, hrtime(123) = 2m 3s (spec examples)" "2 K|2m 3s" \
    "$("$TAWK" 'BEGIN { print hrnum(2000) "|" hrtime(123); exit }' "$HTTP")"
same "tobits() of a 64-bit hex status" "$(python3 -c 'print(bin(0x0400000000004001)[2:])')" \
    "$("$TAWK" 'BEGIN { print tobits("0x0400000000004001"); exit }' "$HTTP")"
same "strip/lstrip/rstrip/chomp" "[a b]|[a b  ]|[  a b]|[x]" \
    "$("$TAWK" 'BEGIN { s = "  a b  "; print "[" strip(s) "]|[" lstrip(s) "]|[" rstrip(s) "]|[" chomp("x\n") "]"; exit }' "$HTTP")"
same "splitc/splitr/join" "b|x y z|a-b-c" \
    "$("$TAWK" -O ' ' 'BEGIN { n = split("a b c", a, " "); print splitc("a_b_c", 2) "|" splitr("x;y;z") "|" join(a, "-"); exit }' "$HTTP")"
same "quote/unquote round trip" '"a\"b"|a"b' \
    "$("$TAWK" 'BEGIN { q = quote("a\"b"); print q "|" unquote(q); exit }' "$HTTP")"
same "contains/containsi/streq/strneq" "1 1 0 1 1" \
    "$("$TAWK" -O ' ' 'BEGIN { print contains("flowStat", "Stat"), containsi("flowStat", "STAT"), contains("a", "b"), streq("x", "x"), strneq("x", "y"); exit }' "$HTTP")"
same "isip/isip6/isint/isnum/isfloat" "1 0 1 1 0 1 1 1" \
    "$("$TAWK" -O ' ' 'BEGIN { print isip("10.1.2.3"), isip("10.1.2.300"), isip6("fe80::1"), isint("-3"), isint("3.5"), isnum("0x1f"), isfloat("3.5"), isuint("7"); exit }' "$HTTP")"

# ---------------------------------------------------------------------------------------
# Options, messages, documentation

same "no program: error, exit 1" \
    $'Program is required\nTry \'tawk --help\' for more information.|1' "$("$TAWK" 2>&1 </dev/null)|$("$TAWK" >/dev/null 2>&1 </dev/null; echo $?)"
out=$("$TAWK" -Z 'hdr()' "$HTTP" 2>&1); rc=$?
same "unknown option" $'Unknown option \'-Z\'\nTry \'tawk --help\' for more information.|1' "$out|$rc"
out=$("$TAWK" -I /nonexistent 'hdr()' 2>&1); rc=$?
same "-I with no file" \
    $'Invalid argument for option \'-I\': \'/nonexistent\' is not a regular file\nTry \'tawk --help\' for more information.|1' "$out|$rc"
out=$("$TAWK" -s 2>&1); rc=$?
same "-s without argument" $'Option \'-s\' requires an argument\nTry \'tawk --help\' for more information.|1' "$out|$rc"
check "--help prints the usage, exit 0" bash -c "'$TAWK' --help | grep -q '^Usage:'"

out=$("$TAWK" -c 'hdr()' "$HTTP")
check "-c: comment header then the output" gawk -v f="$HTTP" '
    NR == 1 && $0 != "# Generated with tawk from '\''" f "'\''" { exit 1 }
    NR == 2 && $0 !~ /^# Date: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[-+][0-9]{4}$/ { exit 1 }
    NR == 3 && $0 != "# Filter used: hdr()" { exit 1 }
    NR == 4 && $0 !~ /^%dir\t/ { exit 1 }
    END { exit NR != 4 }' <<< "$out"
check "-c=u: date in UTC" bash -c "'$TAWK' -c=u 'hdr()' '$HTTP' | grep -q '^# Date: .*+0000$'"
check "-c on stdin names stdin" bash -c "'$TAWK' -c 'hdr()' < '$HTTP' | grep -qx \"# Generated with tawk from 'stdin'\""

funcs=$("$TAWK" -g)
missing=
for fn in t2sort t2rsort hdr tuple2 tuple3 tuple4 tuple5 tuple6 bitsanyset bitsallset shost dhost host \
          port sport dport proto proto2str ipv4 ipv6 ip tcp udp icmp icmp6 igmp gre esp ah rsvp sctp \
          strip lstrip rstrip chomp contains containsi streq strneq max min mean aggr hrnum hrtime \
          isip isip6 isint isnum isfloat isuint splitc splitr join unquote quote tobits; do
    grep -q "^$fn(" <<< "$funcs" || missing+=" $fn"
done
same "-g lists every required function" "" "$missing"
undocumented=$(cd "$ROOT/tools/tawk.d/funcs" && gawk '
    /^#: / { doc = $2; sub(/\(.*/, "", doc); sub(/:$/, "", doc); documented[doc] = 1 }
    /^function [a-zA-Z]/ { n = $2; sub(/\(.*/, "", n); names[n] = 1 }
    END { for (n in names) if (!(n in documented)) print n }' *.awk | sort | tr '\n' ' ')
same "every public function has a doc line" "" "$undocumented"
check "-d t2sort shows its documentation" bash -c "'$TAWK' -d t2sort | grep -q 'descending'"
out=$("$TAWK" -d nosuchfunction 2>&1); rc=$?
same "-d unknown function" "Function 'nosuchfunction' does not exist|1" "$out|$rc"

finish
