// One direction of a conversation, as T2's flow_t. Records live in one flat array; a
// record's position is its flowIndex, which plugins use to index their own state.

@frozen
public struct Flow {
    public internal(set) var key: FlowKey
    /// flowStat: OR of the packets' status bits and the flow-only bits.
    public var status: UInt64
    public internal(set) var firstSeen: Timestamp
    public internal(set) var lastSeen: Timestamp
    /// The printed flow index (shared by the A and B flow of a pair).
    public internal(set) var findex: UInt64
    /// Idle timeout in seconds; change it with `FlowTable.setTimeout`.
    public internal(set) var timeout: Float
    /// flowIndex of the other direction, or -1.
    public internal(set) var oppositeIndex: Int32
    /// The last IPv4 ID (duplicate-IP-ID check).
    @usableFromInline var lastIPID: UInt16
    @usableFromInline var hash: UInt32
    // LRU list links (flowIndex, or sentinel/head indices beyond the capacity).
    @usableFromInline var lruPrev: Int32
    @usableFromInline var lruNext: Int32
    /// The pending-fragment key's IP id, when the flow has a pending fragment series.
    @usableFromInline var fragID: UInt32
    /// Padding bytes of this flow's packets (basicStats' padBytesSnt).
    public internal(set) var padBytes: UInt64

    /// Whether the flow has an opposite (B for an A flow and vice versa).
    @inlinable public var hasOpposite: Bool { oppositeIndex >= 0 }
    /// The Inverted bit (T2's FLOW_IS_B): set on the flow that did not initiate.
    @inlinable public var isB: Bool { status & FlowStat.L3FLOWINVERT != 0 }
    @inlinable public var isIPv4: Bool { status & FlowStat.L2_IPV4 != 0 }
    @inlinable public var isIPv6: Bool { status & FlowStat.L2_IPV6 != 0 }
    /// A pure layer-2 flow.
    @inlinable public var isL2: Bool { status & FlowStat.L2_FLOW != 0 }
    /// IP version for printing addresses: 6, 4, or 0 for L2 flows.
    @inlinable public var ipVersion: UInt8 { isIPv6 ? 6 : (isIPv4 ? 4 : 0) }
    /// lastSeen − firstSeen with nanosecond borrow.
    @inlinable public var duration: Timestamp { lastSeen.minus(firstSeen) }

    @inlinable public var srcIP: IPAddress { key.srcIP }
    @inlinable public var dstIP: IPAddress { key.dstIP }
    @inlinable public var srcPort: UInt16 { key.srcPort }
    @inlinable public var dstPort: UInt16 { key.dstPort }
    @inlinable public var l4Proto: UInt8 { key.proto }
    @inlinable public var ethType: UInt16 { key.ethType }
    @inlinable public var vlanID: UInt16 { key.vlanID }
}
