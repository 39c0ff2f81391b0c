// hdrDesc: the per-packet header description ("eth:vlan{2}:ipv4:tcp"). It is built
// inline in the packet (no heap string), because the dissector appends to it on every
// packet while basicFlow only needs to compare and, rarely, keep it.

/// Up to 127 characters of header tokens, stored inline (T2_HDRDESC_LEN = 128).
@frozen
public struct HeaderDescription: Equatable {
    public static let capacity = 127

    @usableFromInline
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    /// Number of bytes used.
    public internal(set) var count: Int
    /// Set once a token did not fit: further tokens are dropped.
    public internal(set) var overrun: Bool

    public init() {
        storage = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        count = 0
        overrun = false
    }

    /// The bytes of the description.
    @inlinable
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    /// The description as a String (allocates; not for the per-packet path).
    public var string: String {
        withBytes { String(decoding: $0, as: UTF8.self) }
    }

    /// Word-wise comparison (basicFlow compares every packet's description with the
    /// flow's); bytes past `count` are stale and masked out.
    @inlinable public static func == (a: HeaderDescription, b: HeaderDescription) -> Bool {
        guard a.count == b.count, a.overrun == b.overrun else { return false }
        let n = a.count
        return withUnsafeBytes(of: a.storage) { pa in
            withUnsafeBytes(of: b.storage) { pb in
                let wa = pa.baseAddress!.assumingMemoryBound(to: UInt64.self)
                let wb = pb.baseAddress!.assumingMemoryBound(to: UInt64.self)
                var i = 0
                while (i + 1) * 8 <= n {
                    if wa[i] != wb[i] { return false }
                    i += 1
                }
                let rest = n - i * 8
                if rest == 0 { return true }
                let mask: UInt64 = (1 << (8 * UInt64(rest))) &- 1
                return (wa[i] ^ wb[i]) & mask == 0
            }
        }
    }

    @usableFromInline
    mutating func appendRaw(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        if overrun { return false }
        if count + n > HeaderDescription.capacity {
            // T2 cuts after 124 characters and marks the cut with "...".
            let keep = min(count, HeaderDescription.capacity - 3)
            withUnsafeMutableBytes(of: &storage) { buf in
                for i in 0..<3 { buf[keep + i] = UInt8(ascii: ".") }
            }
            count = keep + 3
            overrun = true
            return false
        }
        let c = count
        withUnsafeMutableBytes(of: &storage) { buf in
            (buf.baseAddress! + c).copyMemory(from: p, byteCount: n)
        }
        count += n
        return true
    }

    /// Appends a token, preceded by ':' unless `colon` is false. Returns false when the
    /// description overran. Inlined: the dissector calls it for every header.
    @inline(__always) @discardableResult
    mutating func append(_ token: StaticString, colon: Bool = true) -> Bool {
        let n = token.utf8CodeUnitCount
        let c = colon ? 1 : 0
        if overrun || count + c + n > HeaderDescription.capacity {
            if !overrun && colon {
                var colonByte = UInt8(ascii: ":")
                if !appendRaw(&colonByte, 1) { return false }
            }
            return appendRaw(UnsafeRawPointer(token.utf8Start), n)
        }
        let start = count
        let src = token.utf8Start
        withUnsafeMutableBytes(of: &storage) { buf in
            let dst = buf.baseAddress!.assumingMemoryBound(to: UInt8.self) + start
            var i = 0
            if c == 1 { dst[0] = UInt8(ascii: ":"); i = 1 }
            var j = 0
            while j < n { dst[i + j] = src[j]; j += 1 }
        }
        count = start + c + n
        return true
    }

    /// Appends a dynamically built token such as "UNK(0x1234)".
    @discardableResult
    mutating func append(bytes: [UInt8]) -> Bool {
        if count > 0 {
            var colon = UInt8(ascii: ":")
            if !appendRaw(&colon, 1) { return false }
        }
        return bytes.withUnsafeBytes { appendRaw($0.baseAddress!, $0.count) }
    }

    /// Appends "{n}" after a repeated header group.
    @discardableResult
    mutating func appendRepeat(_ n: Int) -> Bool {
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &tmp) { buf -> Bool in
            var digits = 0
            var v = n
            repeat { digits += 1; v /= 10 } while v > 0
            buf[0] = UInt8(ascii: "{")
            v = n
            for i in stride(from: digits, through: 1, by: -1) { buf[i] = UInt8(48 + v % 10); v /= 10 }
            buf[digits + 1] = UInt8(ascii: "}")
            return appendRaw(buf.baseAddress!, digits + 2)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
