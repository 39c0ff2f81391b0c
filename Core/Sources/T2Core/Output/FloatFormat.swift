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
            let n = m * TextBuffer.powersOf10[6 - x]
            q = n >> UInt64(shift)
            let rest = n & ((1 << UInt64(shift)) - 1)
            let half: UInt64 = 1 << UInt64(shift - 1)
            if rest > half || (rest == half && q & 1 == 1) { q += 1 }
            if q >= 10_000_000 { x += 1; continue }
            if q < 1_000_000 { x -= 1; continue }
            break
        }
        // Seven digits d0...d6, value q * 10^(x-6); printf drops trailing zeros of
        // the fraction, and the point with them.
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            var r = q
            for i in stride(from: 6, through: 0, by: -1) {
                d[i] = 48 + UInt8(truncatingIfNeeded: r % 10)
                r /= 10
            }
        }
        reserve(16)
        if v.sign == .minus { append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { d in
            var last = 6
            let intDigits = x >= 0 ? x + 1 : 0
            while last >= intDigits && d[last] == 48 { last -= 1 }
            if x >= 0 {
                for i in 0..<intDigits { append(d[i]) }
            } else {
                append(UInt8(ascii: "0"))
            }
            if last >= intDigits {
                append(UInt8(ascii: "."))
                if x < 0 { for _ in 0..<(-x - 1) { append(UInt8(ascii: "0")) } }
                for i in intDigits...last { append(d[i]) }
            }
        }
        return true
    }

    @usableFromInline static let powersOf10: [UInt64] = (0...10).map { e in (0..<e).reduce(1) { p, _ in p * 10 } }
}
