# Bit fields. T2's status columns are 64-bit hex strings (0x0400000000004001): as gawk
# numbers (doubles) their low bits would be lost, so all bit operations work on hex
# digits, one nibble at a time.

#: bitsanyset(val, mask): (val AND mask) != 0; val and mask may be hex strings; true on the header row
function bitsanyset(val, mask,    a, b, la, lb, i) {
    if (_tawk_is_hdr()) return 1
    a = _tawk_hex(val); b = _tawk_hex(mask)
    la = length(a); lb = length(b)
    for (i = 0; i < la && i < lb; i++) {
        if (and(_tawk_nibble(substr(a, la - i, 1)), _tawk_nibble(substr(b, lb - i, 1)))) return 1
    }
    return 0
}

#: bitsallset(val, mask): (val AND mask) == mask; val and mask may be hex strings; true on the header row
function bitsallset(val, mask,    a, b, la, lb, i, m) {
    if (_tawk_is_hdr()) return 1
    a = _tawk_hex(val); b = _tawk_hex(mask)
    la = length(a); lb = length(b)
    for (i = 0; i < lb; i++) {
        m = _tawk_nibble(substr(b, lb - i, 1))
        if (m && and(i < la ? _tawk_nibble(substr(a, la - i, 1)) : 0, m) != m) return 0
    }
    return 1
}

#: bfeq(a, b): the bit fields a and b (hex or decimal) are equal
function bfeq(a, b) {
    a = _tawk_hex(a); b = _tawk_hex(b)
    sub(/^0+/, "", a); sub(/^0+/, "", b)
    return a == b
}

#: tobits(val[, width]): val (number or hex string) as a binary string, zero-padded to width
function tobits(val, width,    h, i, r, n) {
    h = _tawk_hex(val)
    for (i = 1; i <= length(h); i++) {
        n = _tawk_nibble(substr(h, i, 1))
        r = r (and(n, 8) ? 1 : 0) (and(n, 4) ? 1 : 0) (and(n, 2) ? 1 : 0) (and(n, 1) ? 1 : 0)
    }
    sub(/^0+/, "", r)
    if (r == "") r = "0"
    while (length(r) < width) r = "0" r
    return r
}

# Lowercase hex digits of val (no 0x); "" if val is no number.
function _tawk_hex(val,    s) {
    s = val ""
    if (s ~ /^0[xX][0-9a-fA-F]+$/) return tolower(substr(s, 3))
    if (s ~ /^[0-9]+$/) return _tawk_dec2hex(s)
    return ""
}

# Decimal string to hex by long division, exact for any length (doubles stop at 2^53).
function _tawk_dec2hex(s,    r, q, rem, i, d) {
    sub(/^0+/, "", s)
    if (s == "") return "0"
    if (length(s) <= 15) return sprintf("%x", s + 0)
    while (s != "") {
        q = ""; rem = 0
        for (i = 1; i <= length(s); i++) {
            d = rem * 10 + substr(s, i, 1)
            q = q int(d / 16)
            rem = d % 16
        }
        r = substr("0123456789abcdef", rem + 1, 1) r
        sub(/^0+/, "", q)
        s = q
    }
    return r
}

function _tawk_nibble(c) {
    return index("0123456789abcdef", tolower(c)) - 1
}
