#!/usr/bin/env bash
# Tests of tools/tcol on T2's reference output files. The expected tables are laid out by
# Python (column width = longest field, two spaces between columns), not by column(1).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${T2_SHARED:-$(cd "$ROOT/../shared" 2>/dev/null && pwd)}
CONF=$SHARED/conformance
TCOL=$ROOT/tools/tcol
export LC_ALL=C NO_COLOR=1

source "$HERE/lib.sh"

if [[ ! -d $CONF ]]; then
    echo "conformance files not found (set T2_SHARED)"
    exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

HTTP=$CONF/tutorial/dpkt_http/dpkt_http_flows.txt
REAL=$CONF/default/pathspider_real/pathspider_real_flows.txt
ZW=$CONF/tutorial/zw/zw_tcpwin.txt

table() {
    python3 - "$@" <<'EOF'
import sys
rows = []
for path in sys.argv[1:]:
    with open(path) as f:
        rows += [l.rstrip("\n").split("\t") for l in f if l.strip("\n")]
ncols = max(len(r) for r in rows)
widths = [max(len(r[i]) if i < len(r) else 0 for r in rows) for i in range(ncols)]
for r in rows:
    print("  ".join(v.ljust(widths[i]) for i, v in enumerate(r)).rstrip())
EOF
}

same "flow file with empty vlanID fields" "$(table "$HTTP")" "$("$TCOL" "$HTTP")"
same "12393 flows, 108 columns" "$(table "$REAL")" "$("$TCOL" "$REAL")"
same "stdin" "$(table "$HTTP")" "$("$TCOL" < "$HTTP")"
same "two files form one table" "$(table "$HTTP" "$HTTP")" "$("$TCOL" "$HTTP" "$HTTP")"
same "tutorial: tawk -s '#' 't2sort(winRelThCnt)' zw_tcpwin.txt | tcol" \
    "$(table "$ZW")" "$("$ROOT/tools/tawk" -s '#' 't2sort(winRelThCnt)' "$ZW" | "$TCOL")"

# Empty fields must keep their column: every value starts where its column name starts.
out=$("$TCOL" "$HTTP")
check "empty fields do not shift the columns" gawk -v hdr="$(head -1 "$HTTP")" '
    BEGIN { n = split(hdr, names, "\t") }
    NR == 1 { for (i = 1; i <= n; i++) start[i] = index($0, names[i]) }
    NR > 1 {
        # vlanID (13) is empty: srcIP (14) must still start under its name.
        if (substr($0, start[14], 1) == " " || substr($0, start[14] - 1, 1) != " ") exit 1
    }' <<< "$out"

printf 'a\t\tc\nxx\tyy\tzz\n' > "$TMP/empty.txt"
same "empty middle field" $'a       c\nxx  yy  zz' "$("$TCOL" "$TMP/empty.txt")"

"$TCOL" /nonexistent/file >/dev/null 2>&1
check "missing file: non-zero exit" test $? -ne 0

# less is used only when stdout is a terminal: a stand-in less records its calls.
mkdir -p "$TMP/bin"
cat > "$TMP/bin/less" <<'EOF'
#!/bin/sh
[ "$1" = --version ] && { echo "less 643"; exit 0; }
echo "LESS $*"
cat
EOF
chmod +x "$TMP/bin/less"
out=$(PATH="$TMP/bin:$PATH" "$TCOL" "$HTTP")
check "no pager when stdout is not a terminal" bash -c '! grep -q "^LESS" <<< "$1"' _ "$out"
out=$(PATH="$TMP/bin:$PATH" python3 -c 'import pty, sys; pty.spawn(sys.argv[1:])' "$TCOL" "$HTTP" </dev/null | tr -d '\r')
check "less -S --header=1 on a terminal (less >= 600)" bash -c 'grep -qx "LESS -S --header=1" <<< "$1" && grep -q "^%dir  " <<< "$1"' _ "$out"

finish
