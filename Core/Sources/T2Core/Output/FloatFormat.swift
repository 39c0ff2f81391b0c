// T2 prints float columns (type F) with printf's "%.7g" and double columns (type D)
// with "%f". glibc formats floating point with multi-precision arithmetic, which
// cost ~40% of the CPU time of the default plugin set (perf, docs/performance.md).
// A float has 24 mantissa bits, so "%.7g" of any float in the fixed-notation range
// can be computed exactly in 64-bit integers, with glibc's rounding (exact value,
// to nearest, ties to even). The rare rest (exponent notation, NaN, inf) still goes
// through snprintf, so the output is printf's in every case.

extension TextBuffer {
    /// A float as T2 prints type F (`%.7g`).
    @inlinable public func appendFloatG(_ v: Float) {
        if !appendFloatGFixed(v) { appendFormat("%.7g", Double(v)) }
    }

    /// A double as T2 prints type D (`%f`). Zero and small integers, the common
    /// cases in flow files, skip printf.
    @inlinable public func appendDoubleF(_ v: Double) {
        if v == 0 {
            if v.sign == .minus { append(UInt8(ascii: "-")) }
            append("0.000000")
        } else if v.magnitude < 1e15 && v == v.rounded(.towardZero) {
            appendDecimal(Int64(v))
            append(".000000")
        } else {
            appendFormat("%f", v)
        }
    }

    /// `%.7g` when printf would use fixed notation (decimal exponent -4...6 after
    /// rounding to 7 significant digits). Returns false, having written nothing,
    /// for everything else.
    @usableFromInline func appendFloatGFixed(_ v: Float) -> Bool {
        guard v.isFinite else { return false }
        let mag = v.magnitude
        if mag == 0 {
            if v.sign == .minus { append(UInt8(ascii: "-")) }
            append(UInt8(ascii: "0"))
            return true
        }
        // Floats of 2^23 and more are integers; below 1e7 they print as such.
        if mag < 1e7 && mag == mag.rounded(.towardZero) {
            if v.sign == .minus { append(UInt8(ascii: "-")) }
            appendDecimal(UInt64(mag))
            return true
        }
        if mag >= 1e7 || mag < 9e-5 { return false }
        // mag = m * 2^-shift exactly; shift > 0 (not an integer) and <= 37 (mag >= 9e-5).
        let bits = mag.bitPattern
        let m = UInt64(bits & 0x7f_ffff | 0x80_0000)
        let shift = 150 - Int(bits >> 23)
        // Decimal exponent estimate from the binary one; corrected below.
        var x = Int((Double(23 - shift) * 0.30103).rounded(.down))
        var q: UInt64 = 0
        while true {
            if x < -4 || x > 6 { return false }
            // q = round(mag * 10^(6-x)), half to even, exactly: m * 10^p < 2^24 * 10^10 < 2^58.
            let n = m * TextBuffer.pow10(6 - x)
            q = n >> UInt64(shift)
            let rest = n & ((1 << UInt64(shift)) - 1)
            let half: UInt64 = 1 << UInt64(shift - 1)
            if rest > half || (rest == half && q & 1 == 1) { q += 1 }
            if q >= 10_000_000 { x += 1; continue }
            if q < 1_000_000 { x -= 1; continue }
            break
        }
        // Seven digits, value q * 10^(x-6), written in place; printf drops trailing
        // zeros of the fraction, and the point with them.
        reserve(16)
        var p = base + count
        if v.sign == .minus { p[0] = UInt8(ascii: "-"); p += 1 }
        var r = q
        var end: Int
        if x >= 0 {
            let intDigits = x + 1
            end = 8
            var i = 7
            while i > intDigits { p[i] = 48 + UInt8(truncatingIfNeeded: r % 10); r /= 10; i -= 1 }
            p[intDigits] = UInt8(ascii: ".")
            i = x
            while i >= 0 { p[i] = 48 + UInt8(truncatingIfNeeded: r % 10); r /= 10; i -= 1 }
            while end > intDigits + 1 && p[end - 1] == 48 { end -= 1 }
            if end == intDigits + 1 { end = intDigits }
        } else {
            let zeros = -x - 1
            p[0] = UInt8(ascii: "0"); p[1] = UInt8(ascii: ".")
            var i = 0
            while i < zeros { p[2 + i] = 48; i += 1 }
            end = 2 + zeros + 7
            i = end - 1
            while i >= 2 + zeros { p[i] = 48 + UInt8(truncatingIfNeeded: r % 10); r /= 10; i -= 1 }
            while p[end - 1] == 48 { end -= 1 }
        }
        count = p - base + end
        return true
    }

    @usableFromInline @inline(__always) static func pow10(_ e: Int) -> UInt64 {
        switch e {
        case 0: return 1
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        case 8: return 100_000_000
        case 9: return 1_000_000_000
        default: return 10_000_000_000
        }
    }
}
