# tawk core: loaded before every other function file and before the user's program, so
# its BEGIN and its header rule run first.
#
# The tawk wrapper passes its settings through the environment rather than `-v`, because
# `-v` interprets backslashes and a prefix or a column name must reach us verbatim.
# Internal names start with `_tawk_` so that they cannot clash with column names.
#
# Documentation convention (read by `tawk -g` and `tawk -d`): the `#:` line right above
# a function is its signature and one-line description.

BEGIN {
    _tawk_init()
}

# -H means no column-name row at all: dropping it here, before any function or the user's
# program sees it, is the only way to guarantee that nothing prints it.
_tawk_noheader && _tawk_is_hdr() { next }

function _tawk_init(    n, i, names, name) {
    _tawk_prefix = ENVIRON["_TAWK_PREFIX"]
    _tawk_hdrnum = ENVIRON["_TAWK_HDRNUM"] + 0
    _tawk_noheader = ENVIRON["_TAWK_NOHDR"] + 0
    if ("NO_COLOR" in ENVIRON || ENVIRON["_TAWK_NOCOLOR"]) {
        _tawk_red = _tawk_blue = _tawk_green = _tawk_orange = _tawk_bold = _tawk_reset = ""
    } else {
        _tawk_red = "\033[0;31m"; _tawk_blue = "\033[0;34m"; _tawk_green = "\033[0;32m"
        _tawk_orange = "\033[0;33m"; _tawk_bold = "\033[1m"; _tawk_reset = "\033[0m"
    }
    n = split(ENVIRON["_TAWK_COLS"], names, "\n")
    for (i = 1; i <= n; i++) {
        name = names[i]
        if (name == "") continue
        COL[i] = name
        # A repeated name keeps its first column, like the variable the wrapper defines.
        if (!(name in COL)) COL[name] = i
    }
}

#: COL: array mapping column names to numbers and numbers to names (COL["srcIP"], COL[14])

#: hdr(): true on the column-name row (use as 'hdr() || filter' to keep the header)
function hdr() {
    return _tawk_is_hdr()
}

function _tawk_is_hdr() {
    if (_tawk_hdrnum) return FNR == _tawk_hdrnum
    if (_tawk_prefix == "") return FNR == 1
    return index($0, _tawk_prefix) == 1 && substr($0, length(_tawk_prefix) + 1) ~ /^[ \t]*[A-Za-z_(]/
}

# Label of a header-row value without the column-name prefix ("%dir" -> "dir", "# IP" -> "IP").
function _tawk_unprefix(s) {
    if (_tawk_prefix != "" && index(s, _tawk_prefix) == 1) {
        s = substr(s, length(_tawk_prefix) + 1)
        sub(/^[ \t]+/, "", s)
    }
    return s
}

# Shell-quotes s for commands run through /bin/sh (sort pipelines).
function _tawk_shquote(s) {
    gsub(/'/, "'\\''", s)
    return "'" s "'"
}

# The current row with OFS between the fields: sort pipelines split on OFS, and $0 still
# holds the input separator when -F and -O differ.
function _tawk_row(    i, r) {
    if (FS == OFS || NF == 0) return $0
    r = $1
    for (i = 2; i <= NF; i++) r = r OFS $i
    return r
}

#: _validate_col(names): column number of the first existing column of the ";"-separated names, else abort
function _validate_col(names,    n, parts, i, msg) {
    if (names in _tawk_colcache) return _tawk_colcache[names]
    n = split(names, parts, ";")
    for (i = 1; i <= n; i++) {
        if (parts[i] in COL) return (_tawk_colcache[names] = COL[parts[i]])
    }
    if (n == 1) {
        _tawk_fatal("Column '" parts[1] "' does not exist")
    }
    msg = "'" parts[1] "'"
    for (i = 2; i < n; i++) msg = msg ", '" parts[i] "'"
    _tawk_fatal("None of the columns " msg " or '" parts[n] "' do exist")
}

# Like _validate_col, but returns 0 instead of aborting.
function _tawk_col(names,    n, parts, i) {
    n = split(names, parts, ";")
    for (i = 1; i <= n; i++) {
        if (parts[i] in COL) return COL[parts[i]]
    }
    return 0
}

# Errors abort the whole run; the flag keeps the END blocks of t2sort, aggr, ... from
# printing half-collected results after the message.
function _tawk_fatal(msg) {
    printerr(msg)
    _tawk_aborted = 1
    exit 1
}

#: printerr(msg): print msg in red on stderr
function printerr(msg) {
    printf "%s%s%s\n", _tawk_red, msg, _tawk_reset > "/dev/stderr"
}

#: printinf(msg): print msg in blue
function printinf(msg) {
    printf "%s%s%s\n", _tawk_blue, msg, _tawk_reset
}

#: printok(msg): print msg in green
function printok(msg) {
    printf "%s%s%s\n", _tawk_green, msg, _tawk_reset
}

#: printwrn(msg): print msg in orange
function printwrn(msg) {
    printf "%s%s%s\n", _tawk_orange, msg, _tawk_reset
}

#: printbold(msg): print msg in bold
function printbold(msg) {
    printf "%s%s%s\n", _tawk_bold, msg, _tawk_reset
}

#: not(q): logical negation of the query q
function not(q) {
    return !q
}
