#!/usr/bin/env bash
# Robustness (issue 5): damaged and unusual inputs get one clear message and a non-zero
# exit when nothing could be read, and whatever was read is still written (flows and
# the report); signals; monitoring; a full flow table loses nothing; -D follows a growing
# series; the progress line on a terminal.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/Tests/Integration/lib.sh"
shared=${T2_SHARED:-$(cd "$here/../shared" && pwd)}
t2="$here/.build/release/t2"
pcaps="$shared/conformance/pcaps"
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
pl="$work/pl"
"$here/tools/install-plugins" basicFlow basicStats tcpWin txtSink "$pl" > /dev/null
cd "$work"
field() { grep "^$1" "$2" | head -1 | sed 's/.*: \([0-9]*\).*/\1/'; }

# --- inputs a user meets ---------------------------------------------------------------
expect_error() {  # NAME FILE MESSAGE-REGEX
    local msg=$3
    "$t2" -p "$pl" -r "$2" -w err > err.out 2>&1; rc=$?
    check "$1: one clear error, exit 1" '[ $rc -eq 1 ] && [ "$(grep -c "^\[ERR\]" err.out)" = 1 ] && grep -q "$msg" err.out'
}
expect_error "missing file" "$work/nope.pcap" "Failed to open file '.*nope.pcap' for reading: No such file or directory"
mkdir adir
expect_error "a directory" "$work/adir" "Failed to open file '.*adir' for reading: Is a directory"
head -c 5000 /dev/urandom > random.bin; printf 'GIF89a' | dd of=random.bin conv=notrunc 2>/dev/null
expect_error "not a capture" "$work/random.bin" "File '.*random.bin' is not a valid PCAP/PCAP-NG file"
: > empty.pcap
expect_error "zero-length file" "$work/empty.pcap" "PCAP file '.*empty.pcap' is empty"
printf 'abc' > short.pcap
expect_error "shorter than a header" "$work/short.pcap" "is not a valid PCAP/PCAP-NG file"
cp "$pcaps/dpkt_http.pcap" secret.pcap; chmod 000 secret.pcap
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups "$t2" -p "$pl" -r secret.pcap -w /tmp/unreadable > err.out 2>&1; rc=$?
    check "unreadable file: permission denied, exit 1" '[ $rc -eq 1 ] && grep -q "Failed to open file .secret.pcap. for reading: Permission denied" err.out'
fi
python3 - <<'EOF'
import struct
pkt = bytes(range(60))
with open('user0.pcap', 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
    for i in range(3):
        f.write(struct.pack('<IIII', 1000 + i, 0, len(pkt), len(pkt)) + pkt)
EOF
"$t2" -p "$pl" -r user0.pcap -w user0 > user0.out 2>&1; rc=$?
check "unknown link type: error naming it, exit 1, headers written, flow file with its column row" \
    '[ $rc -eq 1 ] && grep -q "Unsupported link-layer type: .*/147\]" user0.out && [ "$(wc -l < user0_flows.txt)" = 1 ] && grep -q "^# Col No." user0_headers.txt'
head -c 24 "$pcaps/dpkt_http.pcap" > headeronly.pcap
"$t2" -p "$pl" -r headeronly.pcap -w hdr > hdr.out 2>&1; rc=$?
check "header-only capture: exit 0, a report, no flows" '[ $rc -eq 0 ] && grep -q "^Aggregated flowStat=0x0000000000000000" hdr.out && [ "$(wc -l < hdr_flows.txt)" = 1 ]'

# Damage: flows read before it are written and the report is printed.
n=$(tshark -r "$pcaps/dpkt_http.pcap" 2>/dev/null | wc -l)
size=$(stat -c %s "$pcaps/dpkt_http.pcap")
head -c $((size - 20)) "$pcaps/dpkt_http.pcap" > cut.pcap   # inside the last record
"$t2" -p "$pl" -r cut.pcap -w cut > cut.out 2>&1; rc=$?
check "truncated last record: a warning, $((n - 1)) packets, flows and report" \
    '[ $rc -eq 0 ] && grep -q "truncated dump file; tried to read" cut.out && [ "$(field "Number of processed packets" cut.out)" = $((n - 1)) ] && [ "$(grep -vc "^%" cut_flows.txt)" -gt 0 ]'
cp "$pcaps/dpkt_http.pcap" biglen.pcap
# the 10th record's caplen (offset: 24 + records before) set beyond the snap length
python3 - <<'EOF'
import struct
d = bytearray(open('biglen.pcap', 'rb').read())
off = 24
for i in range(9):
    incl = struct.unpack_from('<I', d, off + 8)[0]
    off += 16 + incl
struct.pack_into('<I', d, off + 8, 900000)
open('biglen.pcap', 'wb').write(d)
EOF
"$t2" -p "$pl" -r biglen.pcap -w biglen > biglen.out 2>&1; rc=$?
check "record length above the snap length: warning, earlier flows written" \
    '[ $rc -eq 0 ] && grep -q "invalid packet capture length 900000, bigger than snaplen of 65535" biglen.out && [ "$(field "Number of processed packets" biglen.out)" -ge 9 ] && [ "$(grep -vc "^%" biglen_flows.txt)" -gt 0 ]'
cat "$pcaps/dpkt_http.pcap" random.bin > garbage.pcap
"$t2" -p "$pl" -r garbage.pcap -w garbage > garbage.out 2>&1; rc=$?
check "garbage after the last record: every packet, then warnings" \
    '[ $rc -eq 0 ] && [ "$(field "Number of processed packets" garbage.out)" -ge $n ] && grep -q "pcap_dispatch failed" garbage.out && grep -q "^Aggregated flowStat" garbage.out'
"$t2" -p "$pl" -r "$pcaps/bad/gopacket_test901_bad_shb_version.pcapng" -w shb > shb.out 2>&1; rc=$?
check "pcapng with a bad section header: the packets before it" \
    '[ $rc -eq 0 ] && grep -q "unknown pcapng savefile major version number 2" shb.out && [ "$(field "Number of processed packets" shb.out)" = 3 ]'
gzip -c "$pcaps/dpkt_http.pcap" > http.pcap.gz
"$t2" -p "$pl" -r http.pcap.gz -w gz > gz.out 2>&1; rc=$?
check "gzip capture is read (docs/deviations.md)" '[ $rc -eq 0 ] && [ "$(field "Number of processed packets" gz.out)" = $n ]'
for f in "$pcaps"/bad/*; do
    stem=$(basename "${f%.*}")
    "$t2" -p "$pl" -r "$f" -w "bad_$stem" > "bad_$stem.out" 2>&1; rc=$?
    check "bad/$stem: no crash (exit $rc)" '[ $rc -lt 2 ] && ! grep -q "Fatal error\|Backtrace" "bad_$stem.out"'
done

# --- signals ----------------------------------------------------------------------------
python3 "$shared/tools/pcapreplicate" "$pcaps/pathspider_real.pcap" big.pcap 40
total=$((62781 * 40))
"$t2" -p "$pl" -r big.pcap -w term > term.out 2>&1 & pid=$!
read_past $pid big.pcap 20; kill -TERM $pid; wait $pid; rc=$?
got=$(field "Number of processed packets" term.out)
check "SIGTERM: stops reading ($got of $total), writes flows and the report, exit 0" \
    '[ $rc -eq 0 ] && [ "$got" -lt $total ] && [ "$(grep -vc "^%" term_flows.txt)" = "$(field "Number of processed      flows" term.out)" ]'
check "SIGTERM: packet totals add up" \
    '[ $(( $(awk -F"\t" "NR==1{for(i=1;i<=NF;i++) if(\$i==\"pktsSnt\") c=i; next} {s+=\$c} END{print s}" term_flows.txt) )) -eq $(( $(field "Number of A packets" term.out) + $(field "Number of B packets" term.out) )) ]'
# Flows to a pipe that nobody reads: t2 blocks in write(2) and cannot finish the flush
# that the first SIGINT starts, so the second one must be what ends it.
mkfifo twice.fifo
exec 3<>twice.fifo
"$t2" -p "$pl" -r big.pcap -w - > twice.fifo 2> twice.err & pid=$!
blocked_in_write $pid; signal_twice $pid INT; wait $pid; rc=$?
exec 3>&-
check "a second SIGINT exits at once (exit 1) while the first one's flush is blocked" \
    '[ $rc -eq 1 ] && grep -q "^\[INF\] Second signal: exiting at once$" twice.err'
# SIGTERM then SIGINT, queued together while t2 is stopped: two different signals do
# not merge, so the second stop signal arrives however fast the flush is.
"$t2" -p "$pl" -r big.pcap -w mixed > mixed.out 2>&1 & pid=$!
read_past $pid big.pcap 20; kill -STOP $pid; kill -TERM $pid; kill -INT $pid; kill -CONT $pid; wait $pid; rc=$?
check "SIGTERM then SIGINT: the second stop signal exits at once (exit 1, no report)" \
    '[ $rc -eq 1 ] && ! grep -q "^Aggregated flowStat" mixed.out && grep -q "Second signal: exiting at once" mixed.out'
"$t2" -p "$pl" -r big.pcap -w usr1 > usr1.out 2>&1 & pid=$!
read_past $pid big.pcap 20; kill -USR1 $pid; wait $pid
check "SIGUSR1: an intermediate report with the plugins' monitoring lines" \
    'grep -q "^USR1 A type report" usr1.out && sed -n "/USR1 A type/,/^=====/p" usr1.out | grep -q "^tcpWin: Number of TCP packets" && grep -q "^Aggregated flowStat" usr1.out'
"$t2" -p "$pl" -r big.pcap -w per -M 0.05 -m > per.out 2>&1
reports=$(grep -c "^USR1 A type report" per_monitoring.txt)
check "-M 0.05 -m: periodic reports in PREFIX_monitoring.txt ($reports)" '[ "$reports" -ge 3 ] && ! grep -q "USR1 A type" per.out'
"$t2" -p "$pl" -r big.pcap -w off -M 0.05 -m > off.out 2>&1 & pid=$!
read_past $pid big.pcap 5; kill -USR2 $pid; wait $pid
off=$(cat off_monitoring.txt 2>/dev/null | grep -c "^USR1 A type report")
check "SIGUSR2 switches periodic reports off ($off instead of $reports)" '[ "$off" -lt "$reports" ]'

# --- progress line only on a terminal --------------------------------------------------
script -qfec "$t2 -p $pl -r big.pcap -w tty > /dev/null" /dev/null > tty.out 2>&1
check "on a terminal: a progress line with percentage, packets/s and flows in memory" \
    'grep -q "packets/s, [0-9]* flows in memory" tty.out && grep -q "%  " tty.out'
"$t2" -p "$pl" -r big.pcap -w notty > notty.out 2> notty.err
check "not on a terminal: no progress line" '! grep -q "packets/s, [0-9]* flows in memory" notty.err notty.out'

# --- a full flow table: the oldest flows are written early, nothing is lost -------------
tree="$work/tree"
mkdir -p "$tree"
cp -r "$here/Package.swift" "$here/Core" "$here/Sources" "$here/Tests" "$here/config" "$here/templates" "$here/data" "$tree/"
rm -rf "$tree/Core/.build"
"$here/.build/release/t2conf" -t "$tree" tranalyzer2 -D HASHCHAINTABLE_BASE_SIZE=64 -D HASHTABLE_BASE_SIZE=128 > /dev/null
T2HOME="$tree" "$here/.build/release/t2build" -p "$work/plsmall" tranalyzer2 basicFlow basicStats txtSink > small.build 2>&1; rc=$?
check "a core with a 64-flow table builds" '[ $rc -eq 0 ]'
if [ $rc -eq 0 ]; then
    "$tree/.build/release/t2" -p "$work/plsmall" -r "$pcaps/pathspider_real.pcap" -w small > small.out 2>&1; rc=$?
    check "full table: the autopilot warning and its hint, once" \
        '[ $rc -eq 0 ] && [ "$(grep -c "Hash Autopilot: main HashMap full: flushing 1 oldest flow(s)" small.out)" = 1 ] && grep -q "Fix: Invoke Tranalyzer with .-f [0-9]*." small.out'
    early=$(awk -F'\t' 'NR>1 && (strtonum($3) % 0x80000000000 >= 0x40000000000)' small_flows.txt | wc -l)
    check "flows removed to make room carry 0x0000040000000000 ($early flows)" '[ "$early" -gt 0 ] && grep -q "^Number of flows terminated by autopilot: " small.out'
    check "at most 64 flows in memory" '[ "$(field "Max number of flows in memory" small.out)" -le 64 ]'
    sum=$(awk -F'\t' 'NR==1{for(i=1;i<=NF;i++) if($i=="pktsSnt") c=i; next} {s+=$c} END{print s}' small_flows.txt)
    check "nothing lost: packets over all written flows ($sum) = packets read (62781)" '[ "$sum" = 62781 ] && [ "$(field "Number of A packets" small.out)" -gt 0 ]'
    bytes=$(( $(field "Number of A bytes" small.out) + $(field "Number of B bytes" small.out) ))
    check "nothing lost: A+B bytes = bytes processed" '[ "$bytes" = "$(field "Number of processed bytes" small.out)" ]'
    # The plugins of the main tree were compiled against other core sources (the struct
    # sizes are the same; only t2build's source fingerprint tells them apart).
    "$tree/.build/release/t2" -p "$pl" -r "$pcaps/dpkt_http.pcap" -w stale > stale.out 2>&1; rc=$?
    check "plugins built against other core sources are refused" \
        'grep -q "\[ERR\] 100_basicFlow.so was built for another version of the core: rebuild it (t2build -R)" stale.out && grep -q "\[ERR\] 901_txtSink.so was built for another version" stale.out && [ ! -s stale_flows.txt ]'
fi

# --- -D follows a growing series ----------------------------------------------------------
cp "$pcaps/dpkt_http.pcap" grow.pcap0
"$t2" -p "$pl" -D grow.pcap0 -w grow > grow.out 2>&1 & pid=$!
sleep 1; cp "$pcaps/dpkt_dns_icmp.pcap" grow.pcap1
sleep 6; cp "$pcaps/pathspider_tcp_ipv4_rst.pcap" grow.pcap2
sleep 6; kill -INT $pid; wait $pid; rc=$?
want=$(( n + $(tshark -r "$pcaps/dpkt_dns_icmp.pcap" 2>/dev/null | wc -l) + $(tshark -r "$pcaps/pathspider_tcp_ipv4_rst.pcap" 2>/dev/null | wc -l) ))
check "-D waits for new files and reads them all ($want packets)" \
    '[ $rc -eq 0 ] && [ "$(field "Number of processed packets" grow.out)" = $want ] && grep -q "^Processing file: grow.pcap2" grow.out'

echo "test_robustness: $pass passed, $fail failed"
[ $fail -eq 0 ]
