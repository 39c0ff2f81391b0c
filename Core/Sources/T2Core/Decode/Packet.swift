// The packet as plugins see it. The dissector fills one PacketData in place for every
// record; plugins get `Packet`, a pointer-sized view of it, so that calling ten plugins
// twice per packet copies nothing. Offsets point into libpcap's buffer (`raw`); header
// fields a plugin needs are read from there through the small header views below.

/// The storage behind `Packet`, filled by the dissector.
@frozen
public struct PacketData {
    // MARK: Capture
    /// First byte of the frame, valid for `snapLength` bytes, only during the callbacks.
    public internal(set) var raw: UnsafeRawPointer
    /// Captured length (pcap `caplen`).
    public internal(set) var snapLength: Int
    /// Bytes that may be read from `raw`: at least `snapLength`; for classic pcap files
    /// the whole libpcap buffer, whose bytes past the capture T2 reads as well.
    public internal(set) var readableLength: Int
    /// Length on the wire (pcap `len`).
    public internal(set) var rawLength: Int
    public internal(set) var timestamp: Timestamp
    /// 1-based number of this record among all records read (T2's `numPackets`).
    public internal(set) var number: UInt64

    // MARK: Layers (offsets from `raw`, -1 when absent)
    /// The current (innermost) layer-2 header: its first 12 bytes are read as MACs.
    public internal(set) var l2Offset: Int
    /// The outermost VLAN tag's TCI (basicFlow reads the tag list from here).
    public internal(set) var vlanOffset: Int
    /// The first MPLS label.
    public internal(set) var mplsOffset: Int
    /// The (innermost) IP header.
    public internal(set) var l3Offset: Int
    /// The layer-4 header (for non-first fragments: where it would be).
    public internal(set) var l4Offset: Int
    /// The layer-7 payload.
    public internal(set) var l7Offset: Int
    /// IPv6 hop-by-hop and destination options headers, -1 if absent.
    public internal(set) var ipv6HopByHopOffset: Int
    public internal(set) var ipv6DestOptsOffset: Int
    /// IPv6 fragment header, -1 if absent.
    public internal(set) var ipv6FragOffset: Int

    // MARK: Identity
    /// Innermost EtherType: 0x0800 / 0x86dd for IP, the frame's type for L2 flows,
    /// DSAP<<8|SSAP for LLC.
    public internal(set) var ethType: UInt16
    /// 12-bit VID of the innermost VLAN tag (0 if none).
    public internal(set) var vlanID: UInt16
    /// Number of VLAN tags and MPLS labels.
    public internal(set) var vlanCount: Int
    public internal(set) var mplsCount: Int
    /// 4, 6, or 0 for frames without an IP header.
    public internal(set) var ipVersion: UInt8
    /// Innermost IP protocol (for IPv6 the last next-header value).
    public internal(set) var l4Proto: UInt8
    public internal(set) var srcIP: IPAddress
    public internal(set) var dstIP: IPAddress
    /// Ports of TCP/UDP/UDP-Lite/SCTP (0 otherwise, and for short headers and later fragments).
    public internal(set) var srcPort: UInt16
    public internal(set) var dstPort: UInt16
    public internal(set) var ipID: UInt32

    // MARK: Lengths (T2 semantics, 16-bit arithmetic where T2 has it)
    /// IP length: total length field, or what the frame holds (see core.md 4.5).
    public internal(set) var l3Length: Int
    /// IPv4 IHL·4, or 40 + IPv6 extension headers.
    public internal(set) var l3HeaderLength: Int
    /// TCP data offset·4, 8 for UDP/ICMP/others, 0 for later fragments.
    public internal(set) var l4HeaderLength: Int
    /// "Packet length" (PACKETLENGTH=3): the layer-7 payload length from the headers, ≥ 0.
    public internal(set) var l7Length: Int
    /// T2's snapped lengths: captured bytes from the L3 / L4 / L7 start, but never more
    /// than the IP length says (padding is not payload). For layer-2 flows the L7 length
    /// counts from the current L2 header, so it can exceed what was captured (ISL).
    public internal(set) var snapL3Length: Int
    public internal(set) var snapL4Length: Int
    public internal(set) var snapL7Length: Int
    /// Captured bytes from the L2 header start.
    public internal(set) var snapL2Length: Int
    /// Ethernet padding (frames ≤ 64 bytes), 0 otherwise.
    public internal(set) var padLength: Int

    // MARK: Fragments
    /// Fragment offset in 8-byte units (IPv4 or IPv6 fragment header); 0 for first fragments.
    public internal(set) var fragmentOffset: UInt16
    /// More-fragments flag.
    public internal(set) var moreFragments: Bool

    // MARK: Status
    /// flowStat bits collected while dissecting (OR-ed into the flow).
    public internal(set) var status: UInt64
    /// Number of headers in `headerDescription` (numHdrs).
    public internal(set) var headerCount: Int
    public internal(set) var headerDescription: HeaderDescription
    /// True when this packet created a flow... set by the core before onNewFlow.
    /// The flow this packet belongs to (-1 before flow handling).
    public internal(set) var flowIndex: Int

    init() {
        raw = UnsafeRawPointer(bitPattern: 1)!
        snapLength = 0; readableLength = 0; rawLength = 0; timestamp = .zero; number = 0
        l2Offset = -1; vlanOffset = -1; mplsOffset = -1; l3Offset = -1; l4Offset = -1; l7Offset = -1
        ipv6HopByHopOffset = -1; ipv6DestOptsOffset = -1; ipv6FragOffset = -1
        ethType = 0; vlanID = 0; vlanCount = 0; mplsCount = 0; ipVersion = 0; l4Proto = 0
        srcIP = .zero; dstIP = .zero; srcPort = 0; dstPort = 0; ipID = 0
        l3Length = 0; l3HeaderLength = 0; l4HeaderLength = 0; l7Length = 0
        snapL3Length = 0; snapL4Length = 0; snapL7Length = 0; snapL2Length = 0; padLength = 0
        fragmentOffset = 0; moreFragments = false
        status = 0; headerCount = 0; headerDescription = HeaderDescription(); flowIndex = -1
    }

    // MARK: Convenience for plugins

    /// True for IPv4/IPv6 first fragments and unfragmented packets.
    @inlinable public var isFirstFragment: Bool { fragmentOffset == 0 }

    /// Whether the frame has a layer-2 header whose first 12 bytes are MAC addresses.
    @inlinable public var hasL2Header: Bool { l2Offset >= 0 }

    /// Destination / source MAC of the current L2 header (bytes 0–5 / 6–11).
    @inlinable public var dstMAC: MACAddress { MACAddress(at: raw + l2Offset) }
    @inlinable public var srcMAC: MACAddress { MACAddress(at: raw + l2Offset + 6) }

    /// The IPv4 header, if this is an IPv4 packet.
    @inlinable public var ipv4: IPv4Header? {
        ipVersion == 4 && l3Offset >= 0 ? IPv4Header(base: raw + l3Offset, captured: readableLength - l3Offset) : nil
    }

    /// The IPv6 header, if this is an IPv6 packet.
    @inlinable public var ipv6: IPv6Header? {
        ipVersion == 6 && l3Offset >= 0 ? IPv6Header(base: raw + l3Offset, captured: readableLength - l3Offset) : nil
    }

    /// The TCP header when the packet is TCP and a first fragment. Fields that are not
    /// in the buffer read as 0 (T2 reads them from libpcap's buffer regardless).
    @inlinable public var tcp: TCPHeader? {
        guard l4Proto == 6, l4Offset >= 0, fragmentOffset == 0 else { return nil }
        return TCPHeader(base: raw + l4Offset, captured: readableLength - l4Offset)
    }

    /// Reads a big-endian 16-bit field at `offset` from the frame start, 0 if it lies
    /// outside the readable buffer.
    @inlinable public func field16(_ offset: Int) -> UInt16 {
        offset >= 0 && offset + 2 <= readableLength ? raw.be16(offset) : 0
    }

    @inlinable public func field32(_ offset: Int) -> UInt32 {
        offset >= 0 && offset + 4 <= readableLength ? raw.be32(offset) : 0
    }

    @inlinable public func field8(_ offset: Int) -> UInt8 {
        offset >= 0 && offset < readableLength ? raw.u8(offset) : 0
    }

    /// Layer-7 payload bytes that were captured.
    @inlinable public var payload: UnsafeRawBufferPointer {
        l7Offset >= 0 && snapL7Length > 0 && l7Offset < readableLength
            ? UnsafeRawBufferPointer(start: raw + l7Offset, count: min(snapL7Length, readableLength - l7Offset))
            : UnsafeRawBufferPointer(start: nil, count: 0)
    }
}

/// A packet during the plugin callbacks (valid only during the call): the fields and
/// views of the dissected packet. Cheap to pass: it is a pointer.
@frozen
public struct Packet {
    @usableFromInline let data: UnsafePointer<PacketData>

    @usableFromInline init(_ data: UnsafePointer<PacketData>) { self.data = data }

    /// First byte of the frame, valid for `snapLength` bytes, only during the callbacks.
    @inlinable public var raw: UnsafeRawPointer { data.pointee.raw }
    /// Captured length (pcap `caplen`).
    @inlinable public var snapLength: Int { data.pointee.snapLength }
    /// Bytes that may be read from `raw`: at least `snapLength`; for classic pcap files
    /// the whole libpcap buffer, whose bytes past the capture T2 reads as well.
    @inlinable public var readableLength: Int { data.pointee.readableLength }
    /// Length on the wire (pcap `len`).
    @inlinable public var rawLength: Int { data.pointee.rawLength }

    @inlinable public var timestamp: Timestamp { data.pointee.timestamp }
    /// 1-based number of this record among all records read (T2's `numPackets`).
    @inlinable public var number: UInt64 { data.pointee.number }
    /// The current (innermost) layer-2 header: its first 12 bytes are read as MACs.
    @inlinable public var l2Offset: Int { data.pointee.l2Offset }
    /// The outermost VLAN tag's TCI (basicFlow reads the tag list from here).
    @inlinable public var vlanOffset: Int { data.pointee.vlanOffset }
    /// The first MPLS label.
    @inlinable public var mplsOffset: Int { data.pointee.mplsOffset }
    /// The (innermost) IP header.
    @inlinable public var l3Offset: Int { data.pointee.l3Offset }
    /// The layer-4 header (for non-first fragments: where it would be).
    @inlinable public var l4Offset: Int { data.pointee.l4Offset }
    /// The layer-7 payload.
    @inlinable public var l7Offset: Int { data.pointee.l7Offset }
    /// IPv6 hop-by-hop and destination options headers, -1 if absent.
    @inlinable public var ipv6HopByHopOffset: Int { data.pointee.ipv6HopByHopOffset }

    @inlinable public var ipv6DestOptsOffset: Int { data.pointee.ipv6DestOptsOffset }
    /// IPv6 fragment header, -1 if absent.
    @inlinable public var ipv6FragOffset: Int { data.pointee.ipv6FragOffset }
    /// Innermost EtherType: 0x0800 / 0x86dd for IP, the frame's type for L2 flows,
    /// DSAP<<8|SSAP for LLC.
    @inlinable public var ethType: UInt16 { data.pointee.ethType }
    /// 12-bit VID of the innermost VLAN tag (0 if none).
    @inlinable public var vlanID: UInt16 { data.pointee.vlanID }
    /// Number of VLAN tags and MPLS labels.
    @inlinable public var vlanCount: Int { data.pointee.vlanCount }

    @inlinable public var mplsCount: Int { data.pointee.mplsCount }
    /// 4, 6, or 0 for frames without an IP header.
    @inlinable public var ipVersion: UInt8 { data.pointee.ipVersion }
    /// Innermost IP protocol (for IPv6 the last next-header value).
    @inlinable public var l4Proto: UInt8 { data.pointee.l4Proto }

    @inlinable public var srcIP: IPAddress { data.pointee.srcIP }

    @inlinable public var dstIP: IPAddress { data.pointee.dstIP }
    /// Ports of TCP/UDP/UDP-Lite/SCTP (0 otherwise, and for short headers and later fragments).
    @inlinable public var srcPort: UInt16 { data.pointee.srcPort }

    @inlinable public var dstPort: UInt16 { data.pointee.dstPort }

    @inlinable public var ipID: UInt32 { data.pointee.ipID }
    /// IP length: total length field, or what the frame holds (see core.md 4.5).
    @inlinable public var l3Length: Int { data.pointee.l3Length }
    /// IPv4 IHL·4, or 40 + IPv6 extension headers.
    @inlinable public var l3HeaderLength: Int { data.pointee.l3HeaderLength }
    /// TCP data offset·4, 8 for UDP/ICMP/others, 0 for later fragments.
    @inlinable public var l4HeaderLength: Int { data.pointee.l4HeaderLength }
    /// "Packet length" (PACKETLENGTH=3): the layer-7 payload length from the headers, ≥ 0.
    @inlinable public var l7Length: Int { data.pointee.l7Length }
    /// T2's snapped lengths: captured bytes from the L3 / L4 / L7 start, but never more
    /// than the IP length says (padding is not payload). For layer-2 flows the L7 length
    /// counts from the current L2 header, so it can exceed what was captured (ISL).
    @inlinable public var snapL3Length: Int { data.pointee.snapL3Length }

    @inlinable public var snapL4Length: Int { data.pointee.snapL4Length }

    @inlinable public var snapL7Length: Int { data.pointee.snapL7Length }
    /// Captured bytes from the L2 header start.
    @inlinable public var snapL2Length: Int { data.pointee.snapL2Length }
    /// Ethernet padding (frames ≤ 64 bytes), 0 otherwise.
    @inlinable public var padLength: Int { data.pointee.padLength }
    /// Fragment offset in 8-byte units (IPv4 or IPv6 fragment header); 0 for first fragments.
    @inlinable public var fragmentOffset: UInt16 { data.pointee.fragmentOffset }
    /// More-fragments flag.
    @inlinable public var moreFragments: Bool { data.pointee.moreFragments }
    /// flowStat bits collected while dissecting (OR-ed into the flow).
    @inlinable public var status: UInt64 { data.pointee.status }
    /// Number of headers in `headerDescription` (numHdrs).
    @inlinable public var headerCount: Int { data.pointee.headerCount }

    @inlinable public var headerDescription: HeaderDescription { data.pointee.headerDescription }
    /// True when this packet created a flow... set by the core before onNewFlow.
    /// The flow this packet belongs to (-1 before flow handling).
    @inlinable public var flowIndex: Int { data.pointee.flowIndex }

    /// True for IPv4/IPv6 first fragments and unfragmented packets.
    @inlinable public var isFirstFragment: Bool { data.pointee.isFirstFragment }
    /// Whether the frame has a layer-2 header whose first 12 bytes are MAC addresses.
    @inlinable public var hasL2Header: Bool { data.pointee.hasL2Header }
    /// Destination / source MAC of the current L2 header (bytes 0–5 / 6–11).
    @inlinable public var dstMAC: MACAddress { data.pointee.dstMAC }
    @inlinable public var srcMAC: MACAddress { data.pointee.srcMAC }
    /// The IPv4 / IPv6 header, if this is an IPv4 / IPv6 packet.
    @inlinable public var ipv4: IPv4Header? { data.pointee.ipv4 }
    @inlinable public var ipv6: IPv6Header? { data.pointee.ipv6 }
    /// The TCP header when the packet is TCP and a first fragment (fields beyond the buffer read 0).
    @inlinable public var tcp: TCPHeader? { data.pointee.tcp }
    /// Network-order fields at an offset from the frame start; 0 outside the readable buffer.
    @inlinable public func field16(_ offset: Int) -> UInt16 { data.pointee.field16(offset) }
    @inlinable public func field32(_ offset: Int) -> UInt32 { data.pointee.field32(offset) }
    @inlinable public func field8(_ offset: Int) -> UInt8 { data.pointee.field8(offset) }
    /// Layer-7 payload bytes that were captured.
    @inlinable public var payload: UnsafeRawBufferPointer { data.pointee.payload }
    /// Compares the header description without copying it.
    @inlinable public func headerDescriptionEquals(_ d: HeaderDescription) -> Bool { data.pointee.headerDescription == d }
}

/// View of an IPv4 header in the capture buffer.
@frozen
public struct IPv4Header {
    public let base: UnsafeRawPointer
    /// Captured bytes from the header start.
    public let captured: Int
    @inlinable public init(base: UnsafeRawPointer, captured: Int) { self.base = base; self.captured = captured }
    @inlinable public var ihl: Int { Int(base.u8(0) & 0x0f) }
    @inlinable public var headerLength: Int { ihl * 4 }
    @inlinable public var tos: UInt8 { base.u8(1) }
    @inlinable public var totalLength: UInt16 { base.be16(2) }
    @inlinable public var id: UInt16 { base.be16(4) }
    /// Flags and fragment offset field (host order).
    @inlinable public var fragmentField: UInt16 { base.be16(6) }
    @inlinable public var ttl: UInt8 { base.u8(8) }
    @inlinable public var proto: UInt8 { base.u8(9) }
    @inlinable public var checksum: UInt16 { base.be16(10) }
}

/// View of an IPv6 fixed header.
@frozen
public struct IPv6Header {
    public let base: UnsafeRawPointer
    public let captured: Int
    @inlinable public init(base: UnsafeRawPointer, captured: Int) { self.base = base; self.captured = captured }
    @inlinable public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: base.be16(0) >> 4) }
    @inlinable public var flowLabel: UInt32 { base.be32(0) & 0x000f_ffff }
    @inlinable public var payloadLength: UInt16 { base.be16(4) }
    @inlinable public var nextHeader: UInt8 { base.u8(6) }
    @inlinable public var hopLimit: UInt8 { base.u8(7) }
}

/// View of a TCP header. `captured` is how many bytes may be read; fields beyond it
/// read as 0.
@frozen
public struct TCPHeader {
    public let base: UnsafeRawPointer
    public let captured: Int
    @inlinable public init(base: UnsafeRawPointer, captured: Int) { self.base = base; self.captured = captured }
    @inlinable func u16(_ o: Int) -> UInt16 { o + 2 <= captured ? base.be16(o) : 0 }
    @inlinable func u32(_ o: Int) -> UInt32 { o + 4 <= captured ? base.be32(o) : 0 }
    @inlinable func u8(_ o: Int) -> UInt8 { o < captured ? base.u8(o) : 0 }
    @inlinable public var srcPort: UInt16 { u16(0) }
    @inlinable public var dstPort: UInt16 { u16(2) }
    @inlinable public var seq: UInt32 { u32(4) }
    @inlinable public var ack: UInt32 { u32(8) }
    @inlinable public var dataOffset: Int { Int(u8(12) >> 4) * 4 }
    /// The flag byte (CWR ECE URG ACK PSH RST SYN FIN).
    @inlinable public var flags: UInt8 { u8(13) }
    /// The raw 16-bit window field (no scaling).
    @inlinable public var window: UInt16 { u16(14) }
    @inlinable public var checksum: UInt16 { u16(16) }
    @inlinable public var urgentPointer: UInt16 { u16(18) }
}
