# Strings, type predicates, number formatting.

#: strip(s): s without leading and trailing whitespace
function strip(s) {
    gsub(/^[ \t\r\n]+|[ \t\r\n]+$/, "", s)
    return s
}

#: lstrip(s): s without leading whitespace
function lstrip(s) {
    sub(/^[ \t\r\n]+/, "", s)
    return s
}

#: rstrip(s): s without trailing whitespace
function rstrip(s) {
    sub(/[ \t\r\n]+$/, "", s)
    return s
}

#: chomp(s): s without trailing newline characters
function chomp(s) {
    sub(/[\r\n]+$/, "", s)
    return s
}

#: contains(val, txt): val contains the substring txt
function contains(val, txt) {
    return index(val, txt) > 0
}

#: containsi(val, txt): like contains, ignoring case
function containsi(val, txt) {
    return index(tolower(val), tolower(txt)) > 0
}

#: streq(a, b): the strings a and b are equal
function streq(a, b) {
    return a "" == b ""
}

#: streqi(a, b): like streq, ignoring case
function streqi(a, b) {
    return tolower(a) == tolower(b)
}

#: strneq(a, b): the strings a and b differ
function strneq(a, b) {
    return a "" != b ""
}

#: strneqi(a, b): like strneq, ignoring case
function strneqi(a, b) {
    return tolower(a) != tolower(b)
}

#: hasprefix(s, p): s starts with p
function hasprefix(s, p) {
    return index(s, p) == 1
}

#: hasprefixi(s, p): like hasprefix, ignoring case
function hasprefixi(s, p) {
    return index(tolower(s), tolower(p)) == 1
}

#: hassuffix(s, p): s ends with p
function hassuffix(s, p) {
    return length(p) <= length(s) && substr(s, length(s) - length(p) + 1) == p
}

#: hassuffixi(s, p): like hassuffix, ignoring case
function hassuffixi(s, p) {
    return hassuffix(tolower(s), tolower(p))
}

#: strisempty(s): s is empty or an empty quoted string
function strisempty(s) {
    return s == "" || s == "\"\""
}

#: isset(v): v is neither empty nor zero (0, 0.0, 0x00)
function isset(v) {
    if (v == "") return 0
    if (v ~ /^0[xX]0*$/) return 0
    if (isnum(v)) return _tawk_num(v) != 0
    return 1
}

#: isint(s): s is an integer
function isint(s) {
    return s ~ /^[-+]?[0-9]+$/
}

#: isuint(s): s is an unsigned integer
function isuint(s) {
    return s ~ /^\+?[0-9]+$/
}

#: isfloat(s): s is a decimal number with a fraction or an exponent
function isfloat(s) {
    return s ~ /^[-+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$/ && s !~ /^[-+]?[0-9]+$/
}

#: isnum(s): s is a number (integer, decimal or 0x hex)
function isnum(s) {
    return s ~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ || s ~ /^0[xX][0-9a-fA-F]+$/
}

# Numeric value of a decimal or 0x hex string.
function _tawk_num(s) {
    return (s ~ /^0[xX]/) ? strtonum(s) : s + 0
}

#: abs(x): absolute value of x
function abs(x) {
    x = _tawk_num(x)
    return x < 0 ? -x : x
}

#: log2(x): binary logarithm of x
function log2(x) {
    return log(x) / log(2)
}

#: max2(a, b): the larger of a and b
function max2(a, b) { return a + 0 > b + 0 ? a : b }
#: min2(a, b): the smaller of a and b
function min2(a, b) { return a + 0 < b + 0 ? a : b }
#: max3(a, b, c): the largest of a, b and c
function max3(a, b, c) { return max2(max2(a, b), c) }
#: min3(a, b, c): the smallest of a, b and c
function min3(a, b, c) { return min2(min2(a, b), c) }

#: splitc(val[, num[, osep]]): element num of the compound value val ("_"-separated); without num: all elements joined with osep (default OFS)
function splitc(val, num, osep) {
    return t2split(val, "_", num, osep)
}

#: splitr(val[, num[, osep]]): element num of the repeated value val (";"-separated); without num: all elements joined with osep (default OFS)
function splitr(val, num, osep) {
    return t2split(val, ";", num, osep)
}

#: t2split(val, sep[, num[, osep]]): element num of val split at sep; without num: all elements joined with osep (default OFS)
function t2split(val, sep, num, osep,    parts, n) {
    n = split(val, parts, sep == "|" ? "[|]" : sep)
    if (num != "") return parts[num]
    return join(parts, osep == "" ? OFS : osep)
}

#: join(a, sep): the elements a[1], a[2], ... joined with sep
function join(a, sep,    i, r) {
    if (!(1 in a)) return ""
    r = a[1]
    for (i = 2; i in a; i++) r = r sep a[i]
    return r
}

#: quote(s): s in double quotes, with inner quotes and backslashes escaped
function quote(s) {
    gsub(/\\/, "\\\\", s)
    gsub(/"/, "\\\"", s)
    return "\"" s "\""
}

#: unquote(s): s without surrounding double quotes, escapes removed
function unquote(s) {
    if (s ~ /^".*"$/ && length(s) >= 2) {
        s = substr(s, 2, length(s) - 2)
        s = gensub(/\\(.)/, "\\1", "g", s)
    }
    return s
}

#: hrnum(num[, base]): human-readable number (2000 -> 2 K, 16937 -> 16.94 K); base 1000 (default) or 1024
function hrnum(num, base,    units, i, neg) {
    base = base == 1024 ? 1024 : 1000
    num = _tawk_num(num)
    neg = num < 0
    if (neg) num = -num
    units = " KMGTPEZY"
    for (i = 1; num >= base && i < length(units); i++) num /= base
    num = _tawk_trim0(sprintf("%.2f", num))
    return (neg ? "-" : "") num (i > 1 ? " " substr(units, i, 1) : "")
}

#: hrtime(secs): human-readable duration (123 -> 2m 3s, 90061 -> 1d 1h 1m 1s)
function hrtime(secs,    r, d, h, m, neg) {
    secs = _tawk_num(secs)
    neg = secs < 0
    if (neg) secs = -secs
    d = int(secs / 86400); secs -= d * 86400
    h = int(secs / 3600); secs -= h * 3600
    m = int(secs / 60); secs -= m * 60
    if (d) r = d "d"
    if (h) r = r (r == "" ? "" : " ") h "h"
    if (m) r = r (r == "" ? "" : " ") m "m"
    secs = _tawk_trim0(sprintf("%.6f", secs))
    if (secs != "0" || r == "") r = r (r == "" ? "" : " ") secs "s"
    return (neg ? "-" : "") r
}

# "2.50" -> "2.5", "2.00" -> "2".
function _tawk_trim0(s) {
    if (index(s, ".")) {
        sub(/0+$/, "", s)
        sub(/\.$/, "", s)
    }
    return s
}

#: texscape(s): s with LaTeX special characters escaped
function texscape(s) {
    gsub(/\\/, "\\textbackslash{}", s)
    gsub(/[&%$#_{}]/, "\\\\&", s)
    gsub(/~/, "\\textasciitilde{}", s)
    gsub(/\^/, "\\textasciicircum{}", s)
    return s
}

#: urldecode(s): s with %XX escapes and "+" decoded
function urldecode(s,    r, i, c) {
    gsub(/\+/, " ", s)
    while ((i = match(s, /%[0-9a-fA-F][0-9a-fA-F]/))) {
        r = r substr(s, 1, i - 1) sprintf("%c", strtonum("0x" substr(s, i + 1, 2)))
        s = substr(s, i + 3)
    }
    return r s
}

#: valcontains(val, sep, item): one of the sep-separated parts of val equals item
function valcontains(val, sep, item,    parts, n, i) {
    n = split(val, parts, sep == "|" ? "[|]" : sep)
    for (i = 1; i <= n; i++) if (parts[i] == item) return 1
    return 0
}

#: valcontainsi(val, sep, item): like valcontains, ignoring case
function valcontainsi(val, sep, item) {
    return valcontains(tolower(val), sep, tolower(item))
}

#: cvalcontains(val, item): one part of the compound value val ("_"-separated) equals item
function cvalcontains(val, item) {
    return valcontains(val, "_", item)
}

#: rvalcontains(val, item): one part of the repeated value val (";"-separated) equals item
function rvalcontains(val, item) {
    return valcontains(val, ";", item)
}

#: utc(t[, fmt]): Unix time t as a UTC date (default format %FT%T)
function utc(t, fmt) {
    return strftime(fmt == "" ? "%FT%T" : fmt, int(t), 1) _tawk_frac(t)
}

#: localtime(t[, fmt]): Unix time t as a local date (default format %FT%T)
function localtime(t, fmt) {
    return strftime(fmt == "" ? "%FT%T" : fmt, int(t)) _tawk_frac(t)
}

# T2 timestamps carry a fraction (1084443427.311224000); keep it in the date.
function _tawk_frac(t,    p) {
    p = index(t, ".")
    return p ? substr(t, p) : ""
}

#: timestamp(date): Unix time of a "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DDTHH:MM:SS") local date
function timestamp(date) {
    gsub(/[-:T]/, " ", date)
    return mktime(date)
}
