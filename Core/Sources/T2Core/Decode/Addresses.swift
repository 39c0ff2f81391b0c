// Addresses as plain values, stored in wire byte order so that comparing, hashing and
// printing never need a conversion.

/// An IPv4 or IPv6 address in 16 bytes, wire order. IPv4 uses the first 4 bytes, the
/// rest is zero (T2's `ipAddr_t`).
@frozen
public struct IPAddress: Hashable {
    /// Bytes 0..<8 as loaded from memory (little-endian load of wire bytes).
    public var hi: UInt64
    /// Bytes 8..<16.
    public var lo: UInt64

    @inlinable public init(hi: UInt64, lo: UInt64) { self.hi = hi; self.lo = lo }

    public static let zero = IPAddress(hi: 0, lo: 0)

    /// Reads 4 bytes of an IPv4 address.
    @inlinable @inline(__always)
    public init(ipv4At p: UnsafeRawPointer) {
        hi = UInt64(p.le32(0)); lo = 0
    }

    /// Reads 16 bytes of an IPv6 address.
    @inlinable @inline(__always)
    public init(ipv6At p: UnsafeRawPointer) {
        hi = p.le64(0); lo = p.le64(8)
    }

    /// Byte `i` (0..<16) in wire order.
    @inlinable public subscript(i: Int) -> UInt8 {
        i < 8 ? UInt8(truncatingIfNeeded: hi >> (8 * UInt64(i))) : UInt8(truncatingIfNeeded: lo >> (8 * UInt64(i - 8)))
    }

    /// The IPv4 address as a host-order integer (a.b.c.d → a<<24|b<<16|c<<8|d).
    @inlinable public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: hi).byteSwapped }

    /// The 4 IPv4 bytes as stored (wire order in memory), T2's `IPv4.s_addr`.
    @inlinable public var ipv4Raw: UInt32 { UInt32(truncatingIfNeeded: hi) }
}

/// A 48-bit MAC address in wire order.
@frozen
public struct MACAddress: Hashable {
    /// Bytes in wire order in the low 48 bits of a little-endian load.
    public var raw: UInt64

    @inlinable public init(raw: UInt64) { self.raw = raw & 0xffff_ffff_ffff }

    @inlinable @inline(__always)
    public init(at p: UnsafeRawPointer) {
        raw = UInt64(p.le32(0)) | (UInt64(p.le16(4)) << 32)
    }

    @inlinable public subscript(i: Int) -> UInt8 { UInt8(truncatingIfNeeded: raw >> (8 * UInt64(i))) }

    /// The address as a 48-bit number, first byte most significant (for range lookups).
    @inlinable public var value: UInt64 {
        var v: UInt64 = 0
        for i in 0..<6 { v = (v << 8) | UInt64(self[i]) }
        return v
    }
}
