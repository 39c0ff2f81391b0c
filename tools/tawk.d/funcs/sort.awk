# Functions that collect rows and print a result at the end: t2sort, aggr, max/min/mean.
# Rows go straight into an external `sort`, which spills to disk, so big flow files do
# not have to fit in gawk's memory.

#: t2sort(col[, num[, type[, rev]]]): print all rows sorted on column(s) col ("a;b"), descending; num>0 keeps the first num rows, num<0 the last; type "ip", "num" or "str" (default: guessed)
function t2sort(col, num, type, rev,    row) {
    if (_tawk_is_hdr()) {
        if (!_tawk_sort_hdrseen) {
            _tawk_sort_hdrseen = 1
            _tawk_sort_hdr = _tawk_row()
        }
        return 0
    }
    row = _tawk_row()
    if (_tawk_sort_cmd == "") _tawk_sort_cmd = _tawk_sort_command(col, num, type, rev)
    print row | _tawk_sort_cmd
    return 0
}

#: t2rsort(col[, num[, type]]): like t2sort, but ascending
function t2rsort(col, num, type) {
    return t2sort(col, num, type, 1)
}

# Builds `LC_ALL=C sort -t<OFS> -<type><r>k<c>,<c> ...`; the column types are guessed
# from the current (first data) row, as T2 does.
function _tawk_sort_command(col, num, type, rev,    n, cols, i, c, t, keys, order, cmd) {
    num = int(num)
    order = rev ? "" : "r"
    if (num < 0) {
        order = order == "r" ? "" : "r"
        num = -num
    }
    n = split(col, cols, ";")
    for (i = 1; i <= n; i++) {
        c = _tawk_sort_colnum(cols[i])
        t = _tawk_sort_type(type, $c)
        keys = keys " -" t order "k" c "," c
    }
    cmd = "LC_ALL=C sort -t " _tawk_shquote(OFS) keys
    if (num > 0) cmd = cmd " | head -n " num
    return cmd
}

# A column is normally given by its variable (a number); a name string is accepted too.
function _tawk_sort_colnum(c) {
    if (c ~ /^[ \t]*[0-9]+[ \t]*$/ && c + 0 > 0) return c + 0
    if (c in COL) return COL[c]
    _tawk_fatal("Column '" c "' does not exist")
}

function _tawk_sort_type(type, v) {
    type = tolower(type)
    if (type == "ip") return "V"
    if (type == "num") return "g"
    if (type == "str") return ""
    if (type != "") _tawk_fatal("Invalid sort type '" type "': expected one of 'ip', 'num' or 'str'")
    if (v ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) return "V"
    if (isnum(v)) return "g"
    return ""
}

function _tawk_sort_flush() {
    if (_tawk_sort_hdrseen) print _tawk_sort_hdr
    # The header must be out before sort writes to the same stdout.
    fflush()
    if (_tawk_sort_cmd != "") close(_tawk_sort_cmd)
}

#: aggr(fields[, val[, num]]): sum val (default: count rows) per value of fields (e.g. $srcIP OFS $dstIP); prints "fields OFS total" at the end, largest first; num>0 keeps the top num
function aggr(fields, val, num) {
    if (_tawk_is_hdr()) {
        if (!_tawk_aggr_hdrseen) {
            _tawk_aggr_hdrseen = 1
            _tawk_aggr_label = _tawk_aggr_unprefix(fields)
            _tawk_aggr_vlabel = (_tawk_omitted(val) || val == "" || isnum(val)) ? "Count" : val
        }
        return 0
    }
    _tawk_aggr_used = 1
    if (num != "") _tawk_aggr_num = int(num)
    # An omitted val counts rows; a given but empty one adds nothing.
    _tawk_aggr[fields] += _tawk_omitted(val) ? 1 : val + 0
    return 0
}

# An argument the caller left out (gawk 5 says "untyped", 4.2 "unassigned").
function _tawk_omitted(v,    t) {
    t = typeof(v)
    return t == "untyped" || t == "unassigned"
}

function _tawk_aggr_unprefix(fields,    n, parts, i, r) {
    n = split(fields, parts, OFS)
    r = _tawk_unprefix(parts[1])
    for (i = 2; i <= n; i++) r = r OFS parts[i]
    return r
}

function _tawk_aggr_flush(    key, nkeys, parts, cmd) {
    if (_tawk_aggr_hdrseen) print _tawk_prefix _tawk_aggr_label OFS _tawk_aggr_vlabel
    fflush()
    if (!_tawk_aggr_used) return
    for (key in _tawk_aggr) {
        nkeys = split(key, parts, OFS) + 1
        break
    }
    cmd = "LC_ALL=C sort -t " _tawk_shquote(OFS) " -grk" nkeys "," nkeys
    if (_tawk_aggr_num > 0) cmd = cmd " | head -n " _tawk_aggr_num
    for (key in _tawk_aggr) print key OFS _tawk_aggr[key] | cmd
    close(cmd)
}

#: max(c): maximum of column c, printed at the end (use as a pattern: 'max(duration)')
function max(c) {
    return _tawk_stat("max", c)
}

#: min(c): minimum of column c, printed at the end
function min(c) {
    return _tawk_stat("min", c)
}

#: mean(c): mean of column c, printed at the end
function mean(c) {
    return _tawk_stat("mean", c)
}

# One running statistic per (kind, column); the results are printed in the order the
# statistics were first used, one value per line. Like t2sort and aggr, the functions
# return 0, so that a bare 'max(duration)' prints no rows. Like t2sort and aggr, the functions
# return 0, so that a bare 'max(duration)' prints no rows.
function _tawk_stat(kind, c,    k, v) {
    c = _tawk_sort_colnum(c)
    k = kind SUBSEP c
    if (!(k in _tawk_stat_n)) {
        _tawk_stat_order[++_tawk_stat_count] = k
        _tawk_stat_n[k] = 0
    }
    v = $c
    if (_tawk_is_hdr() || !isnum(v)) return 0
    v = _tawk_num(v)
    if (kind == "max" && (_tawk_stat_n[k] == 0 || v > _tawk_stat_v[k])) _tawk_stat_v[k] = v
    else if (kind == "min" && (_tawk_stat_n[k] == 0 || v < _tawk_stat_v[k])) _tawk_stat_v[k] = v
    else if (kind == "mean") _tawk_stat_v[k] += v
    _tawk_stat_n[k]++
    return 0
}

function _tawk_stat_result(k,    kind) {
    if (_tawk_stat_n[k] == 0) return ""
    split(k, kind, SUBSEP)
    if (kind[1] == "mean") return _tawk_stat_v[k] / _tawk_stat_n[k]
    return _tawk_stat_v[k]
}

function _tawk_stat_flush(    i) {
    for (i = 1; i <= _tawk_stat_count; i++) print _tawk_stat_result(_tawk_stat_order[i])
}

END {
    if (!_tawk_aborted) {
        if (_tawk_sort_hdrseen || _tawk_sort_cmd != "") _tawk_sort_flush()
        if (_tawk_aggr_used || _tawk_aggr_hdrseen) _tawk_aggr_flush()
        if (_tawk_stat_count) _tawk_stat_flush()
    }
}
