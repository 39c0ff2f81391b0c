// The binary flow record (formats.md §1.2). Plugins append their columns' values in
// the order and types they declared; sinks decode it with the column descriptors.
// Values are little-endian; repeated columns start with a UInt32 item count.

#if canImport(Glibc)
import Glibc
#endif

public final class OutputBuffer {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    @usableFromInline var used = 0
    /// Bytes written for the current record.
    public var count: Int { used }

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
        base = malloc(capacity)!
    }

    deinit { free(base) }

    func reset() { used = 0 }

    /// The record written so far.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: used) }

    @usableFromInline func grow(_ need: Int) {
        while capacity < used + need { capacity *= 2 }
        base = realloc(base, capacity)!
    }

    @inlinable @inline(__always)
    func put<T: FixedWidthInteger>(_ v: T) {
        let n = MemoryLayout<T>.size
        if used + n > capacity { grow(n) }
        base.storeBytes(of: v.littleEndian, toByteOffset: used, as: T.self)
        used += n
    }

    // MARK: Typed appends (one per column type)

    @inlinable public func appendU8(_ v: UInt8) { put(v) }
    @inlinable public func appendU16(_ v: UInt16) { put(v) }
    @inlinable public func appendU32(_ v: UInt32) { put(v) }
    @inlinable public func appendU64(_ v: UInt64) { put(v) }
    @inlinable public func appendI8(_ v: Int8) { put(v) }
    @inlinable public func appendI16(_ v: Int16) { put(v) }
    @inlinable public func appendI32(_ v: Int32) { put(v) }
    @inlinable public func appendI64(_ v: Int64) { put(v) }
    /// H8…H64 are stored like the unsigned types.
    @inlinable public func appendH8(_ v: UInt8) { put(v) }
    @inlinable public func appendH16(_ v: UInt16) { put(v) }
    @inlinable public func appendH32(_ v: UInt32) { put(v) }
    @inlinable public func appendH64(_ v: UInt64) { put(v) }
    @inlinable public func appendFloat(_ v: Float) { put(v.bitPattern) }
    @inlinable public func appendDouble(_ v: Double) { put(v.bitPattern) }
    @inlinable public func appendChar(_ v: UInt8) { put(v) }

    /// Timestamp or duration: U64 seconds then U32 nanoseconds.
    @inlinable public func appendTimestamp(_ t: Timestamp) {
        put(t.sec)
        put(t.ns)
    }

    @inlinable public func appendMAC(_ m: MACAddress) {
        put(UInt32(truncatingIfNeeded: m.raw))
        put(UInt16(truncatingIfNeeded: m.raw >> 32))
    }

    @inlinable public func appendIP4(_ a: IPAddress) { put(UInt32(truncatingIfNeeded: a.hi)) }
    @inlinable public func appendIP6(_ a: IPAddress) { put(a.hi); put(a.lo) }

    /// IPX: version byte (4, 6 or 0) then 4, 16 or no address bytes.
    @inlinable public func appendIPX(_ a: IPAddress, version: UInt8) {
        put(version)
        if version == 4 { appendIP4(a) } else if version == 6 { appendIP6(a) }
    }

    /// Item used of a repeated column.
    @inlinable public func appendRepeatCount(_ n: Int) { put(UInt32(n)) }

    /// S / SC: the bytes followed by NUL.
    public func appendString(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        if used + n + 1 > capacity { grow(n + 1) }
        if n > 0 { (base + used).copyMemory(from: bytes.baseAddress!, byteCount: n) }
        used += n
        base.storeBytes(of: 0, toByteOffset: used, as: UInt8.self)
        used += 1
    }

    public func appendString(_ s: String) {
        var s = s
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0)) }
    }

    public func appendString(_ s: StaticString) {
        appendString(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
}
