// Reading protocol fields in place. Every header field is read straight from the
// libpcap buffer with an unaligned load; nothing is copied into an intermediate value.

extension UnsafeRawPointer {
    /// Network-order (big-endian) 16-bit field at `offset`.
    @inlinable @inline(__always)
    public func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// Network-order (big-endian) 32-bit field at `offset`.
    @inlinable @inline(__always)
    public func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// Host-order (little-endian) 16-bit load, for the places where T2 reads a field
    /// without converting it (e.g. icmpDecode's LOKI test).
    @inlinable @inline(__always)
    public func le16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    public func le32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    public func le64(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    public func u8(_ offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }
}
