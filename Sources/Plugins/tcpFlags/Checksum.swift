// Internet checksum helpers for tcpFlags' IPv4 header and L4 checksum validation: T2
// sums the bytes in place, leaving out the checksum word instead of zeroing it.

import T2Core

enum InternetChecksum {
    /// Unfolded sum of the big-endian 16-bit words of `len` bytes at `p`, leaving out
    /// word `skip` (-1: none); an odd trailing byte is padded with zero.
    @inline(__always)
    static func sum(_ p: UnsafeRawPointer, _ len: Int, skip: Int) -> UInt64 {
        var s: UInt64 = 0
        var i = 0
        // Eight bytes at a time: one's-complement addition is byte-order independent
        // within a word, so sum host-order 16-bit lanes of a 64-bit load, byte-swap once.
        var wide: UInt64 = 0
        while i + 8 <= len {
            let v = p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            wide &+= (v & 0x0000_ffff_0000_ffff) &+ ((v >> 16) & 0x0000_ffff_0000_ffff)
            i += 8
        }
        // Each 32-bit lane grows by at most 2·0xffff per load: no overflow below 256 KiB.
        let lanes = (wide & 0xffff_ffff) &+ (wide >> 32)
        s = UInt64(foldLE(lanes))
        while i + 1 < len {
            s &+= UInt64(p.be16(i))
            i += 2
        }
        if i < len { s &+= UInt64(p.u8(i)) << 8 }
        if skip >= 0 && 2 * skip + 1 < len {
            // Remove the checksum word again (one's-complement subtraction).
            s = UInt64(fold(s)) &+ UInt64(~p.be16(2 * skip))
        } else if skip >= 0 && 2 * skip < len {
            s = UInt64(fold(s)) &+ UInt64(~(UInt16(p.u8(2 * skip)) << 8))
        }
        return s
    }

    /// Folds a sum of little-endian-loaded words and converts it to network order.
    @inline(__always)
    static func foldLE(_ v: UInt64) -> UInt16 {
        fold(v).byteSwapped
    }

    /// 16-bit one's-complement fold.
    @inline(__always)
    static func fold(_ v: UInt64) -> UInt16 {
        var s = v
        while s >> 16 != 0 { s = (s & 0xffff) &+ (s >> 16) }
        return UInt16(s)
    }
}
