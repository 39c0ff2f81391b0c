// T2 keeps every time as (seconds, nanoseconds) and does its arithmetic on the pair,
// with a borrow of 1e9; doubles would change the printed digits.

@frozen
public struct Timestamp: Equatable, Comparable {
    public var sec: UInt64
    /// Nanoseconds (T2's TSTAMP_PREC=1). With `-R`/`-D` libpcap delivers microseconds
    /// here and they are printed as if they were nanoseconds (see docs/quirks.md).
    public var ns: UInt32

    @inlinable public init(sec: UInt64, ns: UInt32) { self.sec = sec; self.ns = ns }

    public static let zero = Timestamp(sec: 0, ns: 0)

    @inlinable public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.sec != b.sec ? a.sec < b.sec : a.ns < b.ns
    }

    /// `self − other` with nanosecond borrow (T2's `T2_TIMERSUB`). Seconds wrap like the
    /// C unsigned arithmetic, and so do nanoseconds: a damaged record can carry a
    /// sub-second field of 10⁹ or more, and one borrow does not bring the difference
    /// back into range.
    @inlinable public func minus(_ o: Timestamp) -> Timestamp {
        var s = sec &- o.sec
        var n = Int64(ns) - Int64(o.ns)
        if n < 0 { n += 1_000_000_000; s = s &- 1 }
        return Timestamp(sec: s, ns: UInt32(truncatingIfNeeded: n))
    }

    /// Seconds as a double (for rates).
    @inlinable public var seconds: Double { Double(sec) + Double(ns) / 1e9 }

    /// The seconds field as T2 prints it: truncated to 32 bits.
    @inlinable public var sec32: UInt32 { UInt32(truncatingIfNeeded: sec) }
}
