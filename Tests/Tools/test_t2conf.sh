#!/usr/bin/env bash
# t2conf on a scratch copy of the config files (-t TREE): every option and the failures
# the issue names (unknown plugin, unknown macro, wrong type, invalid TOML). A failed
# command must leave the file byte for byte unchanged.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
conf="$here/.build/release/t2conf"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi; }

tree="$work/tree"
mkdir -p "$tree/Core"
cp "$here/Package.swift" "$tree/"; cp "$here/Core/Package.swift" "$tree/Core/"
cp -r "$here/config" "$here/templates" "$tree/"
t2conf() { "$conf" -t "$tree" "$@"; }
sum() { md5sum "$tree/config/$1.toml" | cut -d' ' -f1; }
cd "$work"

# -G
check "-G prints NAME = value" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 50" ]'
check "-G repeatable, strings quoted, booleans yes/no" \
    '[ "$(t2conf txtSink -G TFS_SPLIT -G TFS_FLOWS_TXT_SUFFIX | tr "\n" "|")" = "TFS_SPLIT = yes|TFS_FLOWS_TXT_SUFFIX = \"_flows.txt\"|" ]'
check "-G on the core" '[ "$(t2conf tranalyzer2 -G FLOW_TIMEOUT)" = "FLOW_TIMEOUT = 182.0" ]'
t2conf tcpWin -G NOPE > out.txt 2>&1; rc=$?
check "-G unknown macro: error, exit 1" '[ $rc -eq 1 ] && grep -q "macro .NOPE. does not exist in .config/tcpWin.toml." out.txt'
t2conf tcpWin basicFlow -G X > out.txt 2>&1; rc=$?
check "-G with two plugins" '[ $rc -eq 1 ] && grep -q "\-G option can only be used with ONE plugin" out.txt'

# -D: each kind, default, and the comments survive
before=$(sum tcpWin)
t2conf tcpWin -D TCPWIN_MINPKTS=100 -D TCPWIN_SUFFIX=_win.txt
check "-D sets several values in one command" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS -G TCPWIN_SUFFIX | tr "\n" "|")" = "TCPWIN_MINPKTS = 100|TCPWIN_SUFFIX = \"_win.txt\"|" ]'
check "-D keeps every comment and the order" \
    '[ "$(diff <(grep -v "^TCPWIN_MINPKTS\|^TCPWIN_SUFFIX" "$here/config/tcpWin.toml") <(grep -v "^TCPWIN_MINPKTS\|^TCPWIN_SUFFIX" "$tree/config/tcpWin.toml"))" = "" ]'
check "-D result is valid TOML" 'python3 -c "import tomllib,sys; tomllib.load(open(sys.argv[1],\"rb\"))" "$tree/config/tcpWin.toml"'
t2conf tcpWin -D TCPWIN_MINPKTS=default -D TCPWIN_SUFFIX=default
check "-D NAME=default restores the pristine value" '[ "$(sum tcpWin)" = "$before" ]'
t2conf txtSink -D TFS_SPLIT=no
check "-D yes/no" '[ "$(t2conf txtSink -G TFS_SPLIT)" = "TFS_SPLIT = no" ] && grep -q "^TFS_SPLIT = false" "$tree/config/txtSink.toml"'
t2conf tcpStates -D TIMEOUT_CLOSED=12
check "-D float accepts an integer" '[ "$(t2conf tcpStates -G TIMEOUT_CLOSED)" = "TIMEOUT_CLOSED = 12.0" ]'
t2conf tranalyzer2 -D T2_SENSORID=0x10
check "-D hexadecimal" '[ "$(t2conf tranalyzer2 -G T2_SENSORID)" = "T2_SENSORID = 16" ]'

# failures leave the file untouched
before=$(sum tcpWin)
t2conf tcpWin -D TCPWIN_MINPKTS=abc > out.txt 2>&1; rc=$?
check "-D wrong type (number): error names it, exit 1, file unchanged" \
    '[ $rc -eq 1 ] && grep -q "Invalid value .abc. for TCPWIN_MINPKTS: expected an integer" out.txt && [ "$(sum tcpWin)" = "$before" ]'
t2conf txtSink -D TFS_SPLIT=maybe > out.txt 2>&1; rc=$?
check "-D wrong type (yes/no)" '[ $rc -eq 1 ] && grep -q "expected yes or no" out.txt'
t2conf tcpWin -D TCPWIN_MINPKTS=70 -D NOPE=1 > out.txt 2>&1; rc=$?
check "-D unknown macro: error, exit 1, nothing written (not even the valid -D)" \
    '[ $rc -eq 1 ] && grep -q "macro .NOPE. does not exist for .tcpWin." out.txt && [ "$(sum tcpWin)" = "$before" ]'
t2conf tcpWin -D TCPWIN_THRES=70000 > out.txt 2>&1; rc=$?
check "-D outside the allowed range" '[ $rc -eq 1 ] && grep -q "must be in \[0 - 65535\]" out.txt && [ "$(sum tcpWin)" = "$before" ]'
t2conf tcpWin -D TCPWIN_THRES > out.txt 2>&1; rc=$?
check "-D without =" '[ $rc -eq 1 ] && grep -q "Option .-D.: expected name=value, found .TCPWIN_THRES." out.txt && grep -q "^Try .t2conf --help." out.txt'
t2conf nosuchplugin -G X > out.txt 2>&1; rc=$?
check "unknown plugin" '[ $rc -eq 1 ] && grep -q "Plugin .nosuchplugin. could not be found" out.txt'
cp "$tree/config/tcpWin.toml" good.toml
printf 'TCPWIN_THRES = = 1\n' >> "$tree/config/tcpWin.toml"
t2conf tcpWin -G TCPWIN_THRES > out.txt 2>&1; rc=$?
check "invalid TOML: error names the file and the line" '[ $rc -eq 1 ] && grep -q "Invalid config file .*tcpWin.toml.: not valid TOML: .*(line 18)" out.txt'
t2conf tcpWin -D TCPWIN_THRES=2 > /dev/null 2>&1; rc=$?
check "invalid TOML: -D refuses to write" '[ $rc -eq 1 ] && tail -1 "$tree/config/tcpWin.toml" | grep -q "= = 1"'
cp good.toml "$tree/config/tcpWin.toml"

# --reset
t2conf tcpWin -D TCPWIN_MINPKTS=99; t2conf basicFlow -D BFO_MAX_MAC=2; t2conf portClassifier -D PBC_UNKNOWN=x
t2conf tcpWin --reset
check "--reset NAME" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 50" ] && [ "$(t2conf basicFlow -G BFO_MAX_MAC)" = "BFO_MAX_MAC = 2" ]'
t2conf tcpWin -D TCPWIN_MINPKTS=99
t2conf --reset
check "--reset alone: the core and the default set, not portClassifier nor tcpWin" \
    '[ "$(t2conf basicFlow -G BFO_MAX_MAC)" = "BFO_MAX_MAC = 3" ] && [ "$(t2conf portClassifier -G PBC_UNKNOWN)" = "PBC_UNKNOWN = \"x\"" ] && [ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 99" ] && [ "$(t2conf tranalyzer2 -G T2_SENSORID)" = "T2_SENSORID = 666" ]'
t2conf -a --reset
check "-a --reset: everything" '[ -z "$(diff -r "$here/config/defaults" <(true) 2>/dev/null; for f in "$tree"/config/*.toml; do cmp -s "$f" "$tree/config/defaults/$(basename "$f")" || echo "$f"; done)" ]'

# -I
t2conf -I tcpWin > out.txt
check "-I lists every constant with its value and description" \
    '[ $(wc -l < out.txt) -eq 4 ] && grep -q "^TCPWIN_MINPKTS *50.*minimal TCP packets" out.txt'

# -g / -C
t2conf tcpWin -D TCPWIN_MINPKTS=77
t2conf tcpWin -g saved.config
check "-g writes a config file with T2's header" 'head -1 saved.config | grep -q "^# This is the configuration file for tcpWin" && grep -q "^TCPWIN_MINPKTS = 77" saved.config'
t2conf tcpWin -g
check "-g without a name writes <plugin>.config" '[ -f tcpWin.config ]'
t2conf tcpWin --reset
t2conf tcpWin -C saved.config
check "-C applies a saved configuration" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 77" ]'
t2conf tcpWin -C default
check "-C default" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 50" ]'
t2conf tcpWin -C auto
check "-C auto uses <plugin>.config" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 77" ]'
t2conf tcpWin -C missing.config > out.txt 2>&1; rc=$?
check "-C with a missing file" '[ $rc -eq 1 ] && grep -q "is not a regular file" out.txt'
t2conf tcpWin --reset

# --patch / --rpatch (T2's format)
printf '# T2 patch\nTCPWIN_MINPKTS\t60\t50\tconfig/tcpWin.toml\nBFO_MAX_VLAN\t2\t3\tbasicFlow\n' > p4.txt
t2conf --patch p4.txt
check "--patch (four columns)" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 60" ] && [ "$(t2conf basicFlow -G BFO_MAX_VLAN)" = "BFO_MAX_VLAN = 2" ]'
t2conf --rpatch p4.txt
check "--rpatch restores the old values" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 50" ] && [ "$(t2conf basicFlow -G BFO_MAX_VLAN)" = "BFO_MAX_VLAN = 3" ]'
printf 'TCPWIN_MINPKTS\t61\tconfig/tcpWin.toml\n' > p3.txt
t2conf --patch p3.txt
check "--patch (three columns)" '[ "$(t2conf tcpWin -G TCPWIN_MINPKTS)" = "TCPWIN_MINPKTS = 61" ]'
t2conf --rpatch p3.txt > out.txt 2>&1; rc=$?
check "--rpatch needs four columns" '[ $rc -eq 1 ] && grep -q "Cannot revert patch: four columns required, only three found" out.txt'
printf 'A\tB\tC\nD\tE\tF\tG\n' > bad.txt
t2conf --patch bad.txt > out.txt 2>&1; rc=$?
check "--patch with inconsistent columns" '[ $rc -eq 1 ] && grep -q "Invalid patch: 3 columns expected, found 4" out.txt'
t2conf --patch nofile.txt > out.txt 2>&1; rc=$?
check "--patch with a missing file" '[ $rc -eq 1 ] && grep -q "is not a valid file" out.txt'

# usage errors
"$conf" > out.txt 2>&1; rc=$?
check "no argument: usage, exit 1" '[ $rc -eq 1 ] && grep -q "USAGE: t2conf" out.txt'
t2conf -y > out.txt 2>&1; rc=$?
check "an option without an action" '[ $rc -eq 1 ] && grep -q "option and/or a plugin name is required" out.txt'
t2conf -Z > out.txt 2>&1; rc=$?
check "unknown option" '[ $rc -eq 1 ] && grep -q "^Unknown option .-Z.$" out.txt && grep -q "^Try .t2conf --help. for more information.$" out.txt'
"$conf" -h > out.txt; rc=$?
check "-h" '[ $rc -eq 0 ] && grep -q "\-D <NAME=VALUE>" out.txt'

echo "test_t2conf: $pass passed, $fail failed"
[ $fail -eq 0 ]
