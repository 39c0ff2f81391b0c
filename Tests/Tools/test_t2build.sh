#!/usr/bin/env bash
# t2build and t2plugin in the real tree, into scratch plugin folders: every option, a
# constant changed with t2conf reaching the binary, an unknown plugin, and a plugin that
# fails to compile; t2plugin -c creating plugins (and a sink) that build and load with no
# other change. Everything the test adds to the tree is removed again.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
shared=${T2_SHARED:-$(cd "$here/../shared" && pwd)}
bin="$here/.build/release"
work=$(mktemp -d)
pl="$work/plugins"
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }
cleanup() {
    for p in zzWin zzSink zzBroken; do
        rm -rf "$here/Sources/Plugins/$p" "$here/config/$p.toml" "$here/config/defaults/$p.toml" \
               "$here/Tests/Plugins/test_$p.sh" "$here/docs/plugins/$p.md"
    done
    rmdir "$here/Tests/Plugins" "$here/docs/plugins" 2>/dev/null
    "$bin/t2conf" tcpWin -D TCPWIN_THRES=default >/dev/null 2>&1
    "$bin/t2build" -p "$work/restore" tcpWin >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home"
cd "$work"
pcap="$shared/conformance/pcaps/zw.pcap"

# help (ArgumentParser hands back a help command, not ours: this used to abort)
for tool in t2build t2plugin t2conf; do
    "$bin/$tool" -h > help.txt 2>&1; rc=$?
    check "$tool -h: usage, exit 0" '[ $rc -eq 0 ] && grep -q "^USAGE: $tool" help.txt && ! grep -q "crashed" help.txt'
done
"$bin/t2conf" tcpWin --help > help.txt 2>&1; rc=$?
check "t2conf NAME --help: usage, exit 0" '[ $rc -eq 0 ] && grep -q "^USAGE: t2conf" help.txt'

# build, install, messages
"$bin/t2build" -p "$pl" basicFlow tcpWin txtSink > build.log 2>&1; rc=$?
check "t2build NAMES: exit 0 and BUILDING SUCCESSFUL" '[ $rc -eq 0 ] && grep -q "^BUILDING SUCCESSFUL$" build.log'
check "one 'successfully built' per plugin" '[ $(grep -c " successfully built$" build.log) -eq 3 ] && grep -q "^tcpWin successfully built$" build.log'
check "installed as NNN_name.so" '[ "$(ls "$pl" | tr "\n" " ")" = "100_basicFlow.so 150_tcpWin.so 901_txtSink.so " ]'
check "-l lists them" '[ "$("$bin/t2build" -p "$pl" -l | tr "\n" " ")" = "basicFlow tcpWin txtSink " ]'
"$bin/t2" -p "$pl" -r "$pcap" -w "$work/zw" > zw.report 2>&1
check "t2 loads them" 'grep -q "^tcpWin: Number of TCP packets below window threshold: 419" zw.report'

# a constant changed with t2conf reaches the binary
"$bin/t2conf" tcpWin -D TCPWIN_THRES=100 > /dev/null
"$bin/t2build" -p "$pl" tcpWin > build2.log 2>&1
"$bin/t2" -p "$pl" -r "$pcap" -w "$work/zw100" > zw100.report 2>&1
want=$(tshark -r "$pcap" -Y "tcp.window_size_value < 100" 2>/dev/null | wc -l)
check "TCPWIN_THRES=100 changes the count to tshark's $want" 'grep -q "below window threshold: $want " zw100.report'
check "the generated constant follows the config" 'grep -q "static let TCPWIN_THRES = 100" "$here/Sources/Plugins/tcpWin/Generated/TcpWinConfig.swift"'
"$bin/t2conf" tcpWin -D TCPWIN_THRES=default > /dev/null

# -r regenerates even when unchanged; without it an unchanged file is left alone
gen="$here/Sources/Plugins/tcpWin/Generated/TcpWinConfig.swift"
"$bin/t2build" -p "$pl" tcpWin > /dev/null 2>&1
touch -d "2020-01-01" "$gen"
"$bin/t2build" -p "$pl" tcpWin > /dev/null 2>&1
check "without -r an unchanged constants file is not rewritten" '[ "$(stat -c %Y "$gen")" = "$(date -d 2020-01-01 +%s)" ]'
"$bin/t2build" -p "$pl" -r tcpWin > /dev/null 2>&1
check "-r rewrites it" '[ "$(stat -c %Y "$gen")" != "$(date -d 2020-01-01 +%s)" ]'

# support files: copied, identical, different (-f overwrites)
"$bin/t2build" -p "$pl" portClassifier > pc.log 2>&1
check "support files are installed" 'grep -q "^portmap.txt copied into $pl$" pc.log && [ -f "$pl/portmap.txt" ]'
"$bin/t2build" -p "$pl" portClassifier > pc2.log 2>&1
check "identical support file: already exists" 'grep -q "^portmap.txt already exists in $pl$" pc2.log'
echo "changed" >> "$pl/portmap.txt"
"$bin/t2build" -p "$pl" portClassifier > pc3.log 2>&1
check "different support file: kept without -f" 'grep -q "A different version of portmap.txt already exists" pc3.log && tail -1 "$pl/portmap.txt" | grep -q changed'
"$bin/t2build" -p "$pl" -f portClassifier > pc4.log 2>&1
check "-f overwrites it" 'cmp -s "$pl/portmap.txt" "$here/data/portClassifier/portmap.txt"'

# -u, -R, -b, -d, -c
"$bin/t2build" -p "$pl" -u portClassifier > u.log 2>&1; rc=$?
check "-u unloads" '[ $rc -eq 0 ] && grep -q "UNLOADING SUCCESSFUL" u.log && [ ! -f "$pl/111_portClassifier.so" ]'
rm "$pl/150_tcpWin.so"
cp "$pl/100_basicFlow.so" "$work/before.so"
"$bin/t2build" -p "$pl" -R > r.log 2>&1; rc=$?
check "-R rebuilds tranalyzer2 and what is installed" '[ $rc -eq 0 ] && grep -q "^Tranalyzer2 successfully built$" r.log && grep -q "^basicFlow successfully built$" r.log && ! grep -q "^tcpWin successfully built$" r.log'
printf '# build list\n100_basicFlow.so\ntcpWin\n' > list.txt
"$bin/t2build" -p "$pl" -b list.txt > b.log 2>&1; rc=$?
check "-b FILE builds tranalyzer2 and the listed plugins" '[ $rc -eq 0 ] && [ $(grep -c " successfully built$" b.log) -eq 3 ] && [ -f "$pl/150_tcpWin.so" ]'
"$bin/t2build" -p "$work/dbg" -d tcpWin > d.log 2>&1; rc=$?
check "-d builds in debug" '[ $rc -eq 0 ] && [ -f "$here/.build/debug/libtcpWin.so" ] && cmp -s "$here/.build/debug/libtcpWin.so" "$work/dbg/150_tcpWin.so"'
"$bin/t2build" -c tcpWin > c.log 2>&1; rc=$?
check "-c NAME cleans its build files" '[ $rc -eq 0 ] && grep -q "^CLEANING SUCCESSFUL$" c.log && [ ! -f "$here/.build/release/libtcpWin.so" ]'
"$bin/t2build" -p "$pl" tcpWin > /dev/null 2>&1

# -e: prompt, -y
echo n | "$bin/t2build" -p "$pl" -e > e1.log 2>&1; rc=$?
check "-e asks, and 'n' keeps the folder" '[ $rc -eq 1 ] && grep -q "Are you sure you want to empty the plugin folder .$pl. (y/N)?" e1.log && grep -q "Plugin folder not emptied" e1.log && [ -d "$pl" ]'
echo y | "$bin/t2build" -p "$pl" -e > e2.log 2>&1; rc=$?
check "-e with 'y' empties it" '[ $rc -eq 0 ] && grep -q "^Plugin folder emptied$" e2.log && [ ! -d "$pl" ]'
"$bin/t2build" -p "$pl" -e -y > e3.log 2>&1; rc=$?
check "-e -y on a missing folder" '[ $rc -eq 0 ] && grep -q "Plugin folder does not exist" e3.log'
check "-l on an empty folder" '[ "$("$bin/t2build" -p "$pl" -l)" = "No plugins in '"'"'$pl'"'"'" ]'

# failures
"$bin/t2build" -p "$pl" nosuchplugin > f1.log 2>&1; rc=$?
check "unknown plugin: error, exit 1" '[ $rc -eq 1 ] && grep -q "Plugin .nosuchplugin. could not be found" f1.log'
"$bin/t2build" --reset > f2.log 2>&1; rc=$?
check "--reset is rejected with T2's hint" '[ $rc -eq 1 ] && grep -q "Did you mean to call .t2conf --reset. instead?" f2.log'
"$bin/t2build" -Z > f3.log 2>&1; rc=$?
check "unknown option" '[ $rc -eq 1 ] && grep -q "Try .t2build --help. for more information." f3.log'

# t2plugin: a plugin and a sink, built and loaded without any other change
"$bin/t2plugin" -c zzWin -n 345 > p1.log 2>&1; rc=$?
check "t2plugin -c -n creates source, config, defaults, test and doc" \
    '[ $rc -eq 0 ] && grep -q "Swift plugin .zzWin. created" p1.log && [ -f "$here/Sources/Plugins/zzWin/ZzWin.swift" ] && [ -f "$here/config/zzWin.toml" ] && [ -f "$here/config/defaults/zzWin.toml" ] && [ -x "$here/Tests/Plugins/test_zzWin.sh" ] && [ -f "$here/docs/plugins/zzWin.md" ]'
"$bin/t2build" -p "$pl" basicFlow zzWin txtSink > p2.log 2>&1; rc=$?
check "t2build builds the new plugin" '[ $rc -eq 0 ] && [ -f "$pl/345_zzWin.so" ]'
"$bin/t2" -p "$pl" -r "$pcap" -w "$work/new" > new.report 2>&1
n=$(tshark -r "$pcap" 2>/dev/null | wc -l)
check "t2 loads it and its counts add up to tshark's $n packets" \
    'grep -q "^zzWin: Number of packets: $n " new.report && [ "$(tawk_sum=$(awk -F"\t" "NR==1{for(i=1;i<=NF;i++) if(\$i==\"zzWinPkts\") c=i; next} {s+=\$c} END{print s}" "$work/new_flows.txt"); echo $tawk_sum)" = "$n" ]'
check "its generated test passes" 'bash "$here/Tests/Plugins/test_zzWin.sh" > /dev/null 2>&1'
"$bin/t2plugin" -c zzSink -s -n 950 > s1.log 2>&1
"$bin/t2build" -p "$pl" zzSink > s2.log 2>&1
"$bin/t2" -p "$pl" -r "$pcap" -w "$work/sink" > sink.report 2>&1
check "t2plugin -s: a sink that receives every flow" '[ "$(grep -vc "^%" "$work/sink_zzSink.txt")" = "$(grep -vc "^%" "$work/sink_flows.txt")" ]'
"$bin/t2plugin" -c zzOther -n 345 > p3.log 2>&1; rc=$?
check "a used number is refused" '[ $rc -eq 1 ] && grep -q "Plugin number 345 already used by .zzWin. plugin" p3.log'
"$bin/t2plugin" -c zzOther -s -n 500 > p4.log 2>&1; rc=$?
check "a sink below 900 is refused" '[ $rc -eq 1 ] && grep -q "Sink plugins must have a plugin number bigger than 900" p4.log'
"$bin/t2plugin" -c Bad-Name > p5.log 2>&1; rc=$?
check "an invalid name is refused" '[ $rc -eq 1 ] && grep -q "Invalid plugin name .Bad-Name." p5.log'
echo n | "$bin/t2plugin" -c zzWin > p6.log 2>&1; rc=$?
check "an existing plugin folder asks and keeps it on no" '[ $rc -eq 1 ] && grep -q "Folder .zzWin. already exists... proceed anyway" p6.log && [ -f "$here/Sources/Plugins/zzWin/ZzWin.swift" ]'
"$bin/t2plugin" -c zzBroken -n 346 > /dev/null 2>&1
check "without -n a free number is chosen" '"$bin/t2plugin" -c zzTmp 2>&1 | grep -q "No plugin number provided... using [0-9][0-9][0-9]"; rm -rf "$here/Sources/Plugins/zzTmp" "$here/config/zzTmp.toml" "$here/config/defaults/zzTmp.toml" "$here/Tests/Plugins/test_zzTmp.sh" "$here/docs/plugins/zzTmp.md"'
check "t2plugin -l lists plugins with numbers" '"$bin/t2plugin" -l | grep -q "^tcpWin  *150    counts TCP packets"'

# a plugin that fails to compile
echo "this is not Swift" >> "$here/Sources/Plugins/zzBroken/ZzBroken.swift"
"$bin/t2build" -p "$pl" tcpWin zzBroken > broken.log 2>&1; rc=$?
check "a plugin that fails to compile: listed, exit 1, the others still built" \
    '[ $rc -eq 1 ] && grep -q "^Failed to build plugin zzBroken$" broken.log && grep -q "^The following plugins could not be built:$" broken.log && grep -q "^    zzBroken$" broken.log && grep -q "^tcpWin successfully built$" broken.log'
check "the compiler error is shown" 'grep -q "ZzBroken.swift.*error:" broken.log'

echo "test_t2build: $pass passed, $fail failed"
[ $fail -eq 0 ]
