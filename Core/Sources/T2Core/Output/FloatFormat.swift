// T2 prints float columns (type F) with printf's "%.7g" and double columns (type D)
// with "%f". glibc formats floating point with multi-precision arithmetic, which
// cost ~40% of the CPU time of the default plugin set (perf, docs/performance.md).
// A float has 24 mantissa bits, so "%.7g" of any float in the fixed-notation range
// can be computed exactly in 64-bit integers, and in the exponent range (down to
// 1e-25) in 128-bit ones, with glibc's rounding (exact value, to nearest, ties to
// even). Doubles with a fixed number of decimals ("%f", "%.9f") likewise, up to 2^53.
// The rare rest (tiny or huge values, NaN, inf) still goes through snprintf, so
// the output is printf's in every case.

extension TextBuffer {
    /// A float as T2 prints type F (`%.7g`).
    @inlinable public func appendFloatG(_ v: Float) {
        if !appendFloatG7(v) { appendFormat("%.7g", Double(v)) }
    }

    /// A double as T2 prints type D (`%f`).
    @inlinable public func appendDoubleF(_ v: Double) {
        if !appendFixed(v, decimals: 6) { appendFormat("%f", v) }
    }

    /// A double with 9 decimals (`%.9f`), as T2 prints times in seconds.
    @inlinable public func appendDouble9(_ v: Double) {
        if !appendFixed(v, decimals: 9) { appendFormat("%.9f", v) }
    }

    /// `%.Nf` for N = 6 or 9 and |v| < 2^53. Returns false, having written nothing,
    /// for everything else.
    @usableFromInline func appendFixed(_ v: Double, decimals: Int) -> Bool {
        guard v.isFinite, v.magnitude < 9007199254740992 else { return false }
        let scale = decimals == 9 ? UInt64(1_000_000_000) : UInt64(1_000_000)
        if v.sign == .minus { append(UInt8(ascii: "-")) }
        let mag = v.magnitude
        var q: UInt64
        if mag == mag.rounded(.towardZero) {
            q = 0
            appendDecimal(UInt64(mag))
        } else {
            // mag = m * 2^-shift with shift > 0; q = round(mag * 10^N), half to even.
            let bits = mag.bitPattern
            let biased = Int(bits >> 52)
            let m = UInt128(bits & 0xf_ffff_ffff_ffff | (biased == 0 ? 0 : 1 << 52))
            let shift = 1075 - max(biased, 1)
            let n = m * UInt128(scale)
            var r: UInt128 = 0  // stays 0 below 2^-67: far from half a unit
            if shift <= 120 {
                r = n >> UInt128(shift)
                let rest = n & ((1 << UInt128(shift)) - 1)
                let half: UInt128 = 1 << UInt128(shift - 1)
                if rest > half || (rest == half && r & 1 == 1) { r += 1 }
            }
            appendDecimal(UInt64(r / UInt128(scale)))
            q = UInt64(r % UInt128(scale))
        }
        append(UInt8(ascii: "."))
        reserve(9)
        let dst = base + count
        var i = decimals - 1
        while i >= 0 { dst[i] = 48 + UInt8(truncatingIfNeeded: q % 10); q /= 10; i -= 1 }
        count += decimals
        return true
    }

    /// `%.7g` for finite floats down to 1e-25. Returns false, having written
    /// nothing, for the rest.
    @usableFromInline func appendFloatG7(_ v: Float) -> Bool {
        guard v.isFinite else { return false }
        let mag = v.magnitude
        // Zero, and integers below 1e7 (all floats of 2^23 and more are integers),
        // print as integers.
        if mag < 1e7 && mag == mag.rounded(.towardZero) {
            if v.sign == .minus { append(UInt8(ascii: "-")) }
            appendDecimal(UInt64(mag))
            return true
        }
        guard let (q, x) = TextBuffer.sevenDigits(mag) else { return false }
        reserve(16)
        var p = base + count
        if v.sign == .minus { p[0] = UInt8(ascii: "-"); p += 1 }
        // printf uses fixed notation for decimal exponents -4...6, and drops trailing
        // zeros of the fraction, and the point with them.
        var r = q
        var end: Int
        if x >= 0 && x < 7 {
            let intDigits = x + 1
            end = 8
            var i = 7
            while i > intDigits { p[i] = 48 + UInt8(truncatingIfNeeded: r % 10); r /= 10; i -= 1 }
            p[intDigits] = UInt8(ascii: ".")
            i = x
            while i >= 0 { p[i] = 48 + UInt8(truncatingIfNeeded: r % 10); r /= 10; i -= 1 }
            while end > intDigits + 1 && p[end - 1] == 48 { end -= 1 }
            if end == intDigits + 1 { end = intDigits }
        } else if x < 0 && x >= -4 {
            let zeros = -x - 1
            p[0] = UInt8(ascii: "0"); p[1] = UInt8(ascii: ".")
            var i = 0
            while i < zeros { p[2 + i] = 48; i += 1 }
            end = 2 + zeros + 7
            i = end - 1
            while i >= 2 + zeros { p[i] = 48 + UInt8(truncatingIfNeeded: r % 10); r /= 10; i -= 1 }
            while p[end - 1] == 48 { end -= 1 }
        } else {
            // d.dddddde±XX
            var i = 7
            while i >= 2 { p[i] = 48 + UInt8(truncatingIfNeeded: r % 10); r /= 10; i -= 1 }
            p[1] = UInt8(ascii: ".")
            p[0] = 48 + UInt8(truncatingIfNeeded: r)
            end = 8
            while end > 2 && p[end - 1] == 48 { end -= 1 }
            if end == 2 { end = 1 }
            p[end] = UInt8(ascii: "e")
            p[end + 1] = x < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
            let ax = x < 0 ? -x : x
            p[end + 2] = 48 + UInt8(ax / 10)
            p[end + 3] = 48 + UInt8(ax % 10)
            end += 4
        }
        count = p - base + end
        return true
    }

    /// A nonzero float rounded to 7 significant digits, exactly as printf does: q in
    /// 10^6..<10^7 and the decimal exponent x, so that the value is q * 10^(x-6).
    /// nil for x outside -25...38 (subnormals and the smallest normals).
    @usableFromInline static func sevenDigits(_ mag: Float) -> (UInt64, Int)? {
        let bits = mag.bitPattern
        let biased = Int(bits >> 23)
        let m = UInt64(bits & 0x7f_ffff | (biased == 0 ? 0 : 0x80_0000))
        let shift = 150 - max(biased, 1)  // mag = m * 2^-shift
        // Decimal exponent estimate from the binary one; corrected below.
        var x = Int((Double(mag.exponent) * 0.30103).rounded(.down))
        while true {
            if x < -25 || x > 38 { return nil }
            let p = 6 - x
            var q: UInt64
            if p >= 0 && p <= 10 && shift > 0 && shift < 64 {
                // The common range, in 64 bits: m * 10^p < 2^24 * 10^10 < 2^58.
                let n = m * pow10(p)
                q = n >> UInt64(shift)
                let rest = n & ((1 << UInt64(shift)) - 1)
                let half: UInt64 = 1 << UInt64(shift - 1)
                if rest > half || (rest == half && q & 1 == 1) { q += 1 }
            } else {
                // num / den with num = m * 10^p * 2^-shift's numerator, in 128 bits:
                // at most 2^24 * 10^31 or 2^128, den at most 10^32 * 2^107.
                var num = UInt128(m), den: UInt128 = 1
                if p >= 0 { num *= pow10Wide(p) } else { den = pow10Wide(-p) }
                if shift >= 0 { den <<= UInt128(shift) } else { num <<= UInt128(-shift) }
                let wide = num / den
                if wide >= 10_000_000 { x += 1; continue }  // before narrowing it
                let rest = num - wide * den
                q = UInt64(truncatingIfNeeded: wide)
                if rest * 2 > den || (rest * 2 == den && q & 1 == 1) { q += 1 }
            }
            if q >= 10_000_000 { x += 1; continue }
            if q < 1_000_000 { x -= 1; continue }
            return (q, x)
        }
    }

    @usableFromInline static func pow10Wide(_ e: Int) -> UInt128 {
        var r: UInt128 = 1
        var i = 0
        while i < e { r *= 10; i += 1 }
        return r
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
