// Counters the dissector keeps for the end report (core.md section 9).

public struct DissectorStats {
    public var numLLCPackets: UInt64 = 0
    public var numVxPackets: UInt64 = 0
    public var numGREPackets: UInt64 = 0
    public var numTeredoPackets: UInt64 = 0
    public var numAYIYAPackets: UInt64 = 0
    public var numDTLSPackets: UInt64 = 0
    public var numFragV6Packets: UInt64 = 0
    /// Σ L2 length of every IP header dissected (16-bit arithmetic per header).
    public var bytesOnWire: UInt64 = 0
    public var maxVLAN: Int = 0
    public var maxMPLS: Int = 0
    /// A packet shorter than the minimal L2/L3 header or with L3 snapping was seen
    /// (the "<Snapped bandwidth>" report line).
    public var snapped = false
    /// The one-time L3 snap warning was printed (shared by IPv4 and IPv6).
    var warnedSnap = false
    public init() {}
}
