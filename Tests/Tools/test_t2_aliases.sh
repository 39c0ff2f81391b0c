#!/usr/bin/env bash
# Tests of tools/t2_aliases, sourced by non-interactive bash the way scripts use it. The
# Swift tools are replaced by a stand-in `swift` that records how it was called.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd -P)
ALIASES=$ROOT/tools/t2_aliases
export LC_ALL=C NO_COLOR=1

source "$HERE/lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

names="t2 tranalyzer t2build t2conf t2plugin tawk tcol tran .tran sortu awkf lsx"
same "defines the commands as functions" \
    "$(for n in $names; do echo function; done)" \
    "$(bash -c "source '$ALIASES' && type -t $names" 2>&1)"
same "T2HOME is the repository root, T2PLHOME its plugin sources" \
    "$ROOT|$ROOT/Sources/Plugins" "$(cd / && bash -c "source '$ALIASES' && echo \"\$T2HOME|\$T2PLHOME\"")"
ln -s "$ALIASES" "$TMP/t2_aliases_link"
same "T2HOME resolved through a symlink and a relative path" \
    "$ROOT" "$(cd "$TMP" && bash -c 'source ./t2_aliases_link && echo "$T2HOME"')"

HTTP=${T2_SHARED:-$ROOT/../shared}/conformance/tutorial/dpkt_http/dpkt_http_flows.txt
if [[ -f $HTTP ]]; then
    same "tawk runs tools/tawk in a script" \
        "$("$ROOT/tools/tawk" 't2sort(duration)' "$HTTP")" \
        "$(bash -c "source '$ALIASES' && tawk 't2sort(duration)' '$HTTP'")"
    same "tcol runs tools/tcol" "$("$ROOT/tools/tcol" "$HTTP")" "$(bash -c "source '$ALIASES' && tcol '$HTTP'")"
fi

same "sortu counts lines, most frequent first" $'      3 b\n      2 a\n      1 c' \
    "$(printf 'b\na\nc\nb\na\nb\n' | bash -c "source '$ALIASES' && sortu")"
same "awkf splits on TAB and joins with TAB" $'b c\td' \
    "$(printf 'a\tb c\td\n' | bash -c "source '$ALIASES' && awkf '{ print \$2, \$3 }'")"
same "tran changes to T2HOME" "$ROOT" "$(cd / && bash -c "source '$ALIASES' && tran && pwd -P")"
mkdir -p "$TMP/home/.tranalyzer/plugins"
same ".tran changes to ~/.tranalyzer/plugins" "$TMP/home/.tranalyzer/plugins" \
    "$(HOME=$TMP/home bash -c "source '$ALIASES' && .tran && pwd")"

mkdir -p "$TMP/lsxbin"
printf '#!/bin/sh\necho mine\n' > "$TMP/lsxbin/lsx"
chmod +x "$TMP/lsxbin/lsx"
same "lsx is left alone when an lsx command exists" "file" \
    "$(PATH="$TMP/lsxbin:$PATH" bash -c "source '$ALIASES' && type -t lsx")"

# No gawk: only the other tools the script needs are reachable.
mkdir -p "$TMP/nogawk"
for tool in bash readlink sed dirname; do ln -s "$(command -v "$tool")" "$TMP/nogawk/$tool"; done
out=$(PATH=$TMP/nogawk "$TMP/nogawk/bash" -c "source '$ALIASES'; echo \"rc=\$?\"" 2>&1)
check "missing gawk: message and return 1" \
    bash -c 'grep -q "^t2_aliases: missing dependencies: gawk$" <<< "$1" && grep -q "^rc=1$" <<< "$1"' _ "$out"

# A fake package tree and a stand-in swift: `swift build --product P` "builds" P as a script
# that prints its arguments; the t2build stand-in builds t2 when asked for tranalyzer2.
FAKE=$TMP/tree
mkdir -p "$FAKE/Sources/Plugins/basicFlow" "$FAKE/Sources/Plugins/tcpWin" "$TMP/swiftbin"
cat > "$TMP/swiftbin/swift" <<'EOF'
#!/bin/bash
echo "swift $*" >> "$SWIFT_LOG"
while (($#)); do
    case $1 in
        --package-path) pp=$2; shift ;;
        --product) product=$2; shift ;;
    esac
    shift
done
mkdir -p "$pp/.build/release"
bin=$pp/.build/release/$product
printf '#!/bin/bash\necho "%s $*"\n' "$product" > "$bin"
if [[ $product == t2build ]]; then
    printf '[[ $1 == tranalyzer2 ]] && printf "#!/bin/bash\\necho \\"t2 \\$*\\"\\n" > "%s" && chmod +x "%s"\n' \
        "$pp/.build/release/t2" "$pp/.build/release/t2" >> "$bin"
fi
chmod +x "$bin"
EOF
chmod +x "$TMP/swiftbin/swift"
export SWIFT_LOG=$TMP/swift.log

run_fake() {
    PATH="$TMP/swiftbin:$PATH" bash -c "source '$ALIASES' && T2HOME='$FAKE' && T2PLHOME='$FAKE/Sources/Plugins' && $1" 2>&1
}

: > "$SWIFT_LOG"
same "t2conf builds itself on first use, then runs with the arguments" \
    "t2conf -G TCPWIN_THRES tcpWin|swift build -c release --package-path $FAKE --product t2conf" \
    "$(run_fake 't2conf -G TCPWIN_THRES tcpWin')|$(cat "$SWIFT_LOG")"
: > "$SWIFT_LOG"
same "second use runs the built tool without building" "t2conf -h|" "$(run_fake 't2conf -h')|$(cat "$SWIFT_LOG")"
same "t2plugin and t2build run their tools" "t2plugin -l|t2build -l" "$(run_fake 't2plugin -l')|$(run_fake 't2build -l')"

rm -f "$FAKE/.build/release/t2"
out=$(echo n | run_fake 't2 -V; echo "rc=$?"')
same "t2 without executable: prompt, 'n' declines" \
    "'tranalyzer' executable does not exist... build it (Y/n)? rc=1" "$(sed 's/\x1b\[[0-9;]*m//g' <<< "$out")"
out=$(echo | run_fake 't2 -V; echo "rc=$?"')
same "t2 without executable: Enter builds with 't2build tranalyzer2', then runs" \
    "'tranalyzer' executable does not exist... build it (Y/n)? t2build tranalyzer2"$'\n'"t2 -V"$'\n'"rc=0" \
    "$(sed 's/\x1b\[[0-9;]*m//g' <<< "$out")"
same "t2 runs .build/release/t2 once it exists" "t2 -r x.pcap -w out" "$(run_fake 'tranalyzer -r x.pcap -w out')"

complete_words() {
    bash -c "source '$ALIASES' && COMP_WORDS=($2) && COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)) && $1 && printf '%s\n' \"\${COMPREPLY[@]}\"" | sort
}
same "t2build completes plugin folders and tranalyzer2" \
    "$( (ls "$ROOT/Sources/Plugins"; echo tranalyzer2) | sort)" "$(complete_words _t2build_complete "t2build ''")"
same "t2conf completes plugin names by prefix" \
    "$(ls "$ROOT/Sources/Plugins" | grep '^b' | sort)" "$(complete_words _t2conf_complete "t2conf b")"
check "t2conf completes its options" bash -c "grep -qx -- --reset <<< \"\$1\"" _ "$(complete_words _t2conf_complete "t2conf --r")"
check "t2build completes its options" bash -c "grep -qx -- --rebuild <<< \"\$1\"" _ "$(complete_words _t2build_complete "t2build --re")"
check "t2 completes its options" bash -c "grep -qx -- -r <<< \"\$1\" && grep -qx -- -w <<< \"\$1\"" _ "$(complete_words _t2_complete "t2 -")"
touch "$TMP/capture.pcap"
same "t2 -r completes files" "$TMP/capture.pcap" "$(complete_words _t2_complete "t2 -r $TMP/capt")"
check "completion is registered for t2build, t2conf and t2" \
    bash -c "source '$ALIASES' && complete -p t2build t2conf t2"

finish
