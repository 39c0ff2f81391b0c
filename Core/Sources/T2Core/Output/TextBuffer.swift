// Text output without String building: numbers, addresses and times are formatted
// straight into a byte buffer, which is written to its file descriptor in large blocks.

#if canImport(Glibc)
import Glibc
#endif
import CT2Support

public final class TextBuffer {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    @usableFromInline var count = 0
    /// File descriptor written on flush, or -1 for a memory-only buffer.
    public private(set) var fd: Int32
    /// Total bytes flushed to `fd` (plus what is buffered: see `size`).
    public private(set) var flushedBytes = 0
    @usableFromInline let flushThreshold: Int

    public init(fd: Int32 = -1, capacity: Int = 1 << 16) {
        self.fd = fd
        self.capacity = capacity
        self.flushThreshold = capacity / 2
        base = malloc(capacity)!.bindMemory(to: UInt8.self, capacity: capacity)
    }

    deinit {
        flush()
        free(base)
    }

    /// Bytes written so far (flushed + buffered).
    public var size: Int { flushedBytes + count }

    /// The buffered bytes (memory-only buffers).
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    public var isEmpty: Bool { count == 0 }

    public func removeAll() { count = 0 }

    /// Drops the last byte (e.g. a trailing TAB).
    public func dropLast() { if count > 0 { count -= 1 } }
    public var last: UInt8? { count > 0 ? base[count - 1] : nil }

    @usableFromInline func reserve(_ n: Int) {
        if count + n <= capacity { return }
        if fd >= 0 { flush() }
        if count + n <= capacity { return }
        while capacity < count + n { capacity *= 2 }
        base = realloc(base, capacity)!.bindMemory(to: UInt8.self, capacity: capacity)
    }

    /// Writes buffered bytes to the file descriptor.
    public func flush() {
        guard fd >= 0, count > 0 else { return }
        var off = 0
        while off < count {
            let r = write(fd, base + off, count - off)
            if r <= 0 {
                if r < 0 && errno == EINTR { continue }
                break
            }
            off += r
        }
        flushedBytes += count
        count = 0
    }

    /// Flushes when more than half of the buffer is used.
    @inlinable @inline(__always) public func flushIfNeeded() {
        if fd >= 0 && count >= flushThreshold { flush() }
    }

    /// Switches to another file descriptor (the old one is flushed, not closed).
    public func redirect(to newFD: Int32) {
        flush()
        fd = newFD
        flushedBytes = 0
    }

    // MARK: Appends

    @inlinable @inline(__always) public func append(_ b: UInt8) {
        if count == capacity { reserve(1) }
        base[count] = b
        count += 1
    }

    @inlinable public func append(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inlinable public func append(_ p: UnsafeRawBufferPointer) {
        let n = p.count
        if n == 0 { return }
        if count + n > capacity { reserve(n) }
        if n <= 16 {
            // Short pieces (tokens, separators): a loop beats a memcpy call.
            let src = p.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let dst = base + count
            var i = 0
            while i < n { dst[i] = src[i]; i += 1 }
        } else {
            UnsafeMutableRawPointer(base + count).copyMemory(from: p.baseAddress!, byteCount: n)
        }
        count += n
    }

    public func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func append(_ other: TextBuffer) {
        append(UnsafeRawBufferPointer(other.bytes))
    }

    @inlinable public func tab() { append(9) }
    @inlinable public func newline() { append(10) }

    /// Unsigned decimal, written in place from the last digit.
    @inlinable public func appendDecimal(_ v: UInt64) {
        if v < 10 { append(48 + UInt8(v)); return }
        if count + 20 > capacity { reserve(20) }
        var digits = 1
        var x = v
        while x >= 10 { x /= 10; digits += 1 }
        let dst = base + count
        x = v
        var i = digits - 1
        while i >= 0 {
            dst[i] = 48 + UInt8(truncatingIfNeeded: x % 10)
            x /= 10
            i -= 1
        }
        count += digits
    }

    @inlinable public func appendDecimal<T: BinaryInteger>(_ v: T) {
        if v < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(UInt64(0 &- Int64(v)))
        } else {
            appendDecimal(UInt64(v))
        }
    }

    /// `0x` + exactly `digits` lowercase hex digits.
    @inlinable public func appendHex(_ v: UInt64, digits: Int) {
        reserve(digits + 2)
        base[count] = 48; base[count + 1] = 120  // "0x"
        count += 2
        appendHexDigits(v, digits: digits)
    }

    /// Exactly `digits` lowercase hex digits, no prefix.
    @inlinable public func appendHexDigits(_ v: UInt64, digits: Int) {
        reserve(digits)
        var x = v
        var i = digits - 1
        while i >= 0 {
            let d = UInt8(x & 0xf)
            base[count + i] = d < 10 ? 48 + d : 87 + d
            x >>= 4
            i -= 1
        }
        count += digits
    }

    /// `<sec32>.<ns, 9 digits>`.
    @inlinable public func appendTimestamp(_ t: Timestamp) {
        appendDecimal(UInt64(t.sec32))
        append(UInt8(ascii: "."))
        appendZeroPadded(UInt64(t.ns), width: 9)
    }

    /// Decimal padded with zeros to at least `width` digits.
    @inlinable public func appendZeroPadded(_ v: UInt64, width: Int) {
        var digits = 1
        var x = v
        while x >= 10 { x /= 10; digits += 1 }
        if digits < width {
            reserve(width - digits)
            for _ in 0..<(width - digits) { base[count] = 48; count += 1 }
        }
        appendDecimal(v)
    }

    @inlinable public func appendMAC(_ m: MACAddress) {
        reserve(17)
        for i in 0..<6 {
            if i > 0 { base[count] = 58; count += 1 }
            appendHexDigits(UInt64(m[i]), digits: 2)
        }
    }

    public func appendIPv4(_ a: IPAddress) {
        for i in 0..<4 {
            if i > 0 { append(46) }
            appendDecimal(UInt64(a[i]))
        }
    }

    /// IPv6 text form as glibc's inet_ntop writes it (formats.md §2.5).
    public func appendIPv6(_ a: IPAddress) {
        var g = [Int](repeating: 0, count: 8)
        for i in 0..<8 { g[i] = Int(a[2 * i]) << 8 | Int(a[2 * i + 1]) }
        var bestStart = -1, bestLen = 0, curStart = -1, curLen = 0
        for i in 0..<8 {
            if g[i] == 0 {
                if curStart < 0 { curStart = i; curLen = 1 } else { curLen += 1 }
                if curLen > bestLen { bestStart = curStart; bestLen = curLen }
            } else {
                curStart = -1; curLen = 0
            }
        }
        if bestLen < 2 { bestStart = -1 }
        var i = 0
        while i < 8 {
            if i == bestStart {
                append(58)
                if i == 0 { append(58) }
                i += bestLen
                if i == 8 { break }
                continue
            }
            // Embedded IPv4: ::a.b.c.d or ::ffff:a.b.c.d
            if i == 6 && bestStart == 0 && (bestLen == 6 || (bestLen == 5 && g[5] == 0xffff)) {
                for j in 12..<16 {
                    if j > 12 { append(46) }
                    appendDecimal(UInt64(a[j]))
                }
                break
            }
            appendHexNoPad(UInt64(g[i]))
            if i < 7 { append(58) }
            i += 1
        }
    }

    @inlinable public func appendHexNoPad(_ v: UInt64) {
        var digits = 1
        var x = v >> 4
        while x > 0 { digits += 1; x >>= 4 }
        appendHexDigits(v, digits: digits)
    }

    /// An address in the flow's version (4 or 6); `-` for version 0.
    public func appendIP(_ a: IPAddress, version: UInt8) {
        switch version {
        case 4: appendIPv4(a)
        case 6: appendIPv6(a)
        default: append(UInt8(ascii: "-"))
        }
    }

    /// C printf formatting for floating point (e.g. "%.7g", "%f", "%.2f").
    public func appendFormat(_ format: StaticString, _ value: Double) {
        reserve(512)
        let n = t2_format_double(UnsafeMutableRawPointer(base + count).assumingMemoryBound(to: CChar.self), 512,
                                 UnsafeRawPointer(format.utf8Start).assumingMemoryBound(to: CChar.self), value)
        if n > 0 { count += min(Int(n), 511) }
    }
}

/// C printf into a String (report lines; not for per-packet code).
public func cFormat(_ format: String, _ args: CVarArg...) -> String {
    withVaList(args) { va in
        var buf = [CChar](repeating: 0, count: 512)
        let n = vsnprintf(&buf, 512, format, va)
        if n >= 512 {
            buf = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList(args) { vsnprintf(&buf, Int(n) + 1, format, $0) }
        }
        return String(cString: buf)
    }
}
