// The dissector: link layer, VLAN/MPLS/PPPoE/LLC and EtherType dispatch (core.md 3.3,
// 4.2–4.4, 4.7). It fills the reused `Packet` with offsets and fields, in the style of
// gopacket's DecodingLayerParser: one pass over the bytes, no allocation, no copy.
// IPv4, IPv6 and tunnels continue in their own files.

/// What the analyzer does with a dissected packet.
public enum DissectOutcome {
    /// No flow handling at all (too short, unknown family, IHL < 20, ...).
    case none
    /// A pure layer-2 flow (ARP, STP, unknown EtherType, ...).
    case l2Flow
    /// An IPv4 or IPv6 flow.
    case ipFlow
    /// The link type cannot be dissected: fatal at the first packet.
    case unsupportedLinkType
}

public final class Dissector {
    public let linkType: Int32
    @usableFromInline let pkt: UnsafeMutablePointer<PacketData>
    public var stats = DissectorStats()
    let log: Log

    // Per-packet scratch state.
    @usableFromInline var data: UnsafeRawPointer = UnsafeRawPointer(bitPattern: 1)!
    @usableFromInline var caplen = 0
    /// Nested headers entered for this packet (see `enterNested`).
    var nesting = 0
    /// Start of the current L2 header for the "l2off" length arithmetic (0 when there is none).
    var l2Start = 0
    /// `:udp` was already added by a tunnel check.
    var udpTokenAdded = false
    /// The 802.3 length field and its offset when the frame is LLC (-1 otherwise):
    /// the padding of such frames follows the LLC rule, also behind SNAP.
    var llcLengthField = -1
    var llcStart = -1
    /// The common-case shortcut (FastPath.swift); tests turn it off to compare.
    public var fastPathEnabled = true
    let isEthernet: Bool
    /// Link types without a token of their own (raw IPv4/IPv6) start with ":ipv4".
    let firstTokenHasColon: Bool
    /// Bytes the GRE parser skipped (the L4 header length of GRE packets).
    var greHeaderLength = 4

    public init(linkType: Int32, packet: UnsafeMutablePointer<PacketData>, log: Log) {
        self.linkType = linkType
        self.firstTokenHasColon = linkType == LinkType.IPV4 || linkType == LinkType.IPV6
        self.isEthernet = linkType == LinkType.EN10MB
        self.pkt = packet
        self.log = log
    }

    /// Whether this link type can be dissected at all.
    public static func supports(linkType: Int32) -> Bool {
        switch linkType {
        case LinkType.EN10MB, LinkType.NULL, LinkType.LOOP, LinkType.RAW, LinkType.RAW_OPENBSD, LinkType.RAW_101,
             LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL, LinkType.LINUX_SLL2,
             LinkType.PPP, LinkType.PPP_SERIAL, LinkType.PPP_WITH_DIR, LinkType.C_HDLC, LinkType.C_HDLC_WITH_DIR,
             LinkType.FRELAY, LinkType.FRELAY_WITH_DIR, LinkType.ETHERNET_MPACKET:
            return true
        default:
            return false
        }
    }

    @inline(__always) func has(_ offset: Int, _ n: Int) -> Bool { offset >= 0 && offset + n <= caplen }
    @inline(__always) func b8(_ o: Int) -> UInt8 { data.u8(o) }
    @inline(__always) func b16(_ o: Int) -> UInt16 { data.be16(o) }
    @inline(__always) func b32(_ o: Int) -> UInt32 { data.be32(o) }

    @inline(__always) func status(_ bits: UInt64) { pkt.pointee.status |= bits }
    @inline(__always) func stopped() -> Bool { pkt.pointee.status & FlowStat.STPDSCT != 0 }

    /// Nested headers dissected per packet at most. Each nested header is a call into
    /// the next decoder, and a hostile frame nests one every 8 bytes (802.3 frames whose
    /// SNAP type is again a length) or 20 (IP in IP): 32768 levels in a 256 KB record,
    /// which overflows the stack. Real traffic nests a handful of times, and hdrDesc
    /// cannot show more than about 60 headers anyway.
    static let maxNesting = 256

    /// Counts a header that may nest (EtherType, IPv4, IPv6: every encapsulation cycle
    /// passes through one of them); past `maxNesting` the packet stops being dissected.
    @inline(__always) func enterNested() -> Bool {
        nesting += 1
        if nesting <= Dissector.maxNesting { return true }
        status(FlowStat.STPDSCT)
        return false
    }

    // MARK: hdrDesc

    /// Adds a token (with its leading ':' unless it is the very first) and counts it.
    @inline(__always) func add(_ token: StaticString) {
        let first = pkt.pointee.headerCount == 0 && !firstTokenHasColon
        pkt.pointee.headerCount += 1
        if !pkt.pointee.headerDescription.append(token, colon: !first) { status(FlowStat.HDOVRN) }
    }

    func add(bytes: [UInt8]) {
        pkt.pointee.headerCount += 1
        pkt.pointee.headerDescription.append(bytes: bytes)
        checkOverrun()
    }

    /// A repeated group: the token once, then "{n}" for n ≥ 2; counts n headers in all.
    func addRepeated(_ token: StaticString, _ n: Int) {
        add(token)
        if n >= 2 {
            pkt.pointee.headerCount += n - 1
            pkt.pointee.headerDescription.appendRepeat(n)
            checkOverrun()
        }
    }

    @inline(__always) func checkOverrun() {
        if pkt.pointee.headerDescription.overrun { status(FlowStat.HDOVRN) }
    }

    /// An unknown protocol: UNK(...) and stop dissecting.
    func addUnknownProto(_ p: UInt8) {
        add(bytes: ProtocolTokens.unknownDecimal(Int(p)))
        status(FlowStat.STPDSCT)
    }

    func addIPProtoToken(_ p: UInt8) {
        if p == 59 { return }
        if let t = ProtocolTokens.ipProto(p) { add(t) } else { addUnknownProto(p) }
    }

    func addEtherTypeToken(_ t: UInt16) {
        if let tok = ProtocolTokens.etherType(t) {
            add(tok)
            if t == 0x8906 { add("fc") }
        } else if t == 0x8906 {
            add("fcoe"); add("fc")
        } else {
            add(bytes: ProtocolTokens.unknownHex(UInt32(t), digits: 4))
            status(FlowStat.STPDSCT)
        }
    }

    // MARK: Entry

    /// Dissects one record. `bufferLength` is how many bytes from `data` are readable.
    @inline(__always)
    public func dissect(data: UnsafeRawPointer, caplen: Int, readable: Int, len: Int, ts: Timestamp, number: UInt64) -> DissectOutcome {
        self.data = data
        self.caplen = caplen
        nesting = 0
        udpTokenAdded = false
        l2Start = 0
        llcLengthField = -1
        let p = pkt
        p.pointee.raw = data
        p.pointee.snapLength = caplen
        p.pointee.rawLength = len
        p.pointee.timestamp = ts
        p.pointee.number = number
        p.pointee.readableLength = max(readable, caplen)
        // The shortcut sets every other field itself; the general path starts from a reset.
        if isEthernet && fastPathEnabled, let outcome = fastIPv4(p, data: data, caplen: caplen) {
            return outcome
        }
        reset(p)
        return linkLayer()
    }

    @inline(__always)
    func reset(_ p: UnsafeMutablePointer<PacketData>) {
        let caplen = p.pointee.snapLength
        p.pointee.l2Offset = -1
        p.pointee.vlanOffset = -1
        p.pointee.mplsOffset = -1
        p.pointee.l3Offset = -1
        p.pointee.l4Offset = -1
        p.pointee.l7Offset = -1
        p.pointee.ipv6HopByHopOffset = -1
        p.pointee.ipv6DestOptsOffset = -1
        p.pointee.ipv6FragOffset = -1
        p.pointee.ethType = 0
        p.pointee.vlanID = 0
        p.pointee.vlanCount = 0
        p.pointee.mplsCount = 0
        p.pointee.ipVersion = 0
        p.pointee.l4Proto = 0
        p.pointee.srcIP = .zero
        p.pointee.dstIP = .zero
        p.pointee.srcPort = 0
        p.pointee.dstPort = 0
        p.pointee.ipID = 0
        p.pointee.l3Length = 0
        p.pointee.l3HeaderLength = 0
        p.pointee.l4HeaderLength = 0
        p.pointee.l7Length = 0
        p.pointee.snapL2Length = caplen
        p.pointee.snapL3Length = 0
        p.pointee.snapL4Length = 0
        p.pointee.snapL7Length = 0
        p.pointee.padLength = 0
        p.pointee.fragmentOffset = 0
        p.pointee.moreFragments = false
        p.pointee.status = 0
        p.pointee.headerCount = 0
        p.pointee.headerDescription.count = 0
        p.pointee.headerDescription.overrun = false
        p.pointee.flowIndex = -1
    }

    // MARK: Link layer (core.md 3.3)

    func linkLayer() -> DissectOutcome {
        switch linkType {
        case LinkType.EN10MB:
            return ethernetFrame(at: 0, first: true)
        case LinkType.ETHERNET_MPACKET:
            add("fpp")
            return ethernetFrame(at: 8, first: false)
        case LinkType.NULL, LinkType.LOOP:
            guard has(0, 4) else { status(FlowStat.L2SNAPLENGTH); return .none }
            var fam = linkType == LinkType.LOOP ? data.be32(0) : data.le32(0)
            if fam > 30 { fam = fam.byteSwapped }
            status(FlowStat.L2_NO_ETH)
            add("null")
            pkt.pointee.l2Offset = 0
            l2Start = 0
            switch fam {
            case 2: return ipv4(at: 4)
            case 10, 23, 24, 26, 28, 30: return ipv6(at: 4)
            default:
                log.warning("Null/Loopback header: unhandled family \(fam)")
                return .none
            }
        case LinkType.RAW, LinkType.RAW_OPENBSD, LinkType.RAW_101:
            status(FlowStat.L2_NO_ETH)
            add("raw")
            return rawIP(at: 0)
        case LinkType.IPV4:
            status(FlowStat.L2_NO_ETH)
            return ipv4(at: 0)
        case LinkType.IPV6:
            status(FlowStat.L2_NO_ETH)
            return ipv6(at: 0)
        case LinkType.LINUX_SLL:
            guard has(0, 16) else { status(FlowStat.L2SNAPLENGTH); return .none }
            add("sll")
            pkt.pointee.l2Offset = 0
            return etherType(b16(14), at: 16)
        case LinkType.LINUX_SLL2:
            // T2 0.9.3 rejects Linux cooked v2; we decode it (docs/deviations.md).
            guard has(0, 20) else { status(FlowStat.L2SNAPLENGTH); return .none }
            add("sll2")
            pkt.pointee.l2Offset = 0
            return etherType(b16(0), at: 20)
        case LinkType.PPP, LinkType.PPP_SERIAL, LinkType.PPP_WITH_DIR:
            let o = linkType == LinkType.PPP_WITH_DIR ? 1 : 0
            guard has(o, 4) else { status(FlowStat.L2SNAPLENGTH); return .none }
            status(FlowStat.L2_NO_ETH | FlowStat.L2_PPP)
            add("ppp")
            let b0 = b8(o)
            if b0 == 0x0f || b0 == 0x8f {
                add("chdlc")
                return etherType(b16(o + 2), at: o + 4)
            }
            if b16(o) == 0xff03 { return pppProtocol(b16(o + 2), at: o + 4) }
            return pppProtocol(b16(o), at: o + 2)
        case LinkType.C_HDLC, LinkType.C_HDLC_WITH_DIR, LinkType.FRELAY, LinkType.FRELAY_WITH_DIR:
            let o = (linkType == LinkType.C_HDLC_WITH_DIR || linkType == LinkType.FRELAY_WITH_DIR) ? 1 : 0
            guard has(o, 4) else { status(FlowStat.L2SNAPLENGTH); return .none }
            status(FlowStat.L2_NO_ETH)
            add(linkType == LinkType.C_HDLC || linkType == LinkType.C_HDLC_WITH_DIR ? "chdlc" : "fr")
            return etherType(b16(o + 2), at: o + 4)
        default:
            return .unsupportedLinkType
        }
    }

    /// An Ethernet frame at `o` (also used for inner frames after tunnels).
    func ethernetFrame(at o: Int, first: Bool) -> DissectOutcome {
        guard has(o, 16) else { status(FlowStat.L2SNAPLENGTH); return .none }
        var o = o
        // Cisco ISL: a 26-byte header in front of the Ethernet frame.
        let d0 = b32(o), d1 = b8(o + 4)
        if (d0 == 0x0100_0c00 || d0 == 0x0300_0c00) && d1 == 0x00 {
            guard has(o, 16 + 26) else { status(FlowStat.L2SNAPLENGTH); return .none }
            add("isl")
            o += 26
        }
        add("eth")
        pkt.pointee.l2Offset = o
        l2Start = o
        return etherType(b16(o + 12), at: o + 14)
    }

    /// Raw IP: the version nibble decides.
    func rawIP(at o: Int) -> DissectOutcome {
        guard has(o, 1) else { status(FlowStat.L2SNAPLENGTH); return .none }
        l2Start = o
        switch b8(o) >> 4 {
        case 4: return ipv4(at: o)
        case 6: return ipv6(at: o)
        default:
            log.warning("Unknown IP protocol \(b8(o) >> 4) in raw pcap")
            return .none
        }
    }

    // MARK: EtherType dispatch (core.md 4.2–4.4)

    func etherType(_ type: UInt16, at start: Int) -> DissectOutcome {
        guard enterNested() else { return .none }
        var type = type
        var p = start

        // VLAN tags
        var tags = 0
        while (type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200) && has(p, 4) {
            status(FlowStat.L2_VLAN)
            let tci = b16(p)
            if tci & 0x0fff == 0 { status(FlowStat.L2_VLAN_PRI0) }
            if pkt.pointee.vlanOffset < 0 { pkt.pointee.vlanOffset = p }
            pkt.pointee.vlanID = tci & 0x0fff
            tags += 1
            type = b16(p + 2)
            p += 4
        }
        if tags > 0 {
            pkt.pointee.vlanCount += tags
            if tags > stats.maxVLAN { stats.maxVLAN = tags }
            addRepeated("vlan", tags)
        }

        // 802.3 length field: LLC (and SNAP)
        if type <= 1500 || type == 0x8870 {
            add("llc")
            stats.numLLCPackets += 1
            llcLengthField = Int(type)
            llcStart = p - 2
            guard has(p, 3) else { status(FlowStat.L2SNAPLENGTH); return .none }
            let dsap = b8(p), ssap = b8(p + 1)
            if dsap == 0xaa && ssap == 0xaa {
                guard has(p, 8) else { status(FlowStat.L2SNAPLENGTH); return .none }
                return etherType(b16(p + 6), at: p + 8)   // SNAP: continue with its EtherType
            }
            let control = b8(p + 2)
            let llcLen = 3 + (control & 0x03 != 0x03 ? 1 : 0)
            if dsap == 0x06 {
                let o = p + llcLen
                guard has(o, 1) else { return .none }
                switch b8(o) >> 4 {
                case 4: return ipv4(at: o)
                case 6: return ipv6(at: o)
                default:
                    add("ipvx"); status(FlowStat.L3_IPVX); stats.numVxPackets += 1
                    return l2Flow(ethType: 0x0800, payloadAt: o, pad: .plain)
                }
            }
            if let t = ProtocolTokens.dsap(dsap) {
                if case .token(let tok) = t { add(tok) }
            } else {
                add(bytes: ProtocolTokens.unknownHex(UInt32(dsap), digits: 2))
                status(FlowStat.STPDSCT)
            }
            return l2Flow(ethType: UInt16(dsap) << 8 | UInt16(ssap), payloadAt: p + llcLen,
                          pad: .llc(lengthField: Int(type), llcStart: p - 2))
        }

        switch type {
        case 0x0800:
            guard has(p, 1) else { status(FlowStat.L3HDRSHRTLEN); return .none }
            if b8(p) >> 4 != 4 {
                add("ipvx"); status(FlowStat.L3_IPVX); stats.numVxPackets += 1
                return l2Flow(ethType: type, payloadAt: p, pad: .plain)
            }
            return ipv4(at: p)
        case 0x86dd:
            guard has(p, 1) else { status(FlowStat.L3HDRSHRTLEN); return .none }
            if b8(p) >> 4 != 6 {
                add("ipvx"); status(FlowStat.L3_IPVX); stats.numVxPackets += 1
                return l2Flow(ethType: type, payloadAt: p, pad: .plain)
            }
            return ipv6(at: p)
        case 0x0806:
            add("arp"); status(FlowStat.L2_ARP)
            return l2Flow(ethType: type, payloadAt: p, pad: .arp)
        case 0x80f3:
            add("aarp"); status(FlowStat.L2_ARP)
            return l2Flow(ethType: type, payloadAt: p, pad: .arp)
        case 0x8035:
            add("rarp"); status(FlowStat.L2_RARP)
            return l2Flow(ethType: type, payloadAt: p, pad: .arp)
        case 0x8847, 0x8848:
            return mpls(type, at: p)
        case 0x88be:
            add("erspan"); add("eth"); status(FlowStat.L2_ERSPAN)
            return innerEthernet(at: p + 8 + 2)
        case 0x8863:
            add("pppoed"); status(FlowStat.L2_PPPoE_D)
            return l2Flow(ethType: type, payloadAt: p, pad: .plain)
        case 0x8864:
            add("pppoes"); add("ppp"); status(FlowStat.L2_PPPoE_S)
            guard has(p, 8) else { status(FlowStat.L2SNAPLENGTH); return .none }
            let proto = b16(p + 6)
            switch proto {
            case 0x0021: return ipv4(at: p + 8)
            case 0x0057: return ipv6(at: p + 8)
            default:
                addPPPToken(proto)
                return l2Flow(ethType: type, payloadAt: p + 8, pad: .plain)
            }
        case 0x88cc:
            add("lldp"); status(FlowStat.L2_LLDP)
            return l2Flow(ethType: type, payloadAt: p, pad: .plain)
        case 0x8809:
            add("slow")
            if has(p, 1) {
                switch b8(p) {
                case 1: add("lacp")
                case 2: add("marker")
                case 3: add("oampdu")
                case 10: add("ossp")
                default: break
                }
            }
            return l2Flow(ethType: type, payloadAt: p, pad: .plain)
        default:
            addEtherTypeToken(type)
            return l2Flow(ethType: type, payloadAt: p, pad: .plain)
        }
    }

    func addPPPToken(_ proto: UInt16) {
        if let (a, b) = ProtocolTokens.ppp(proto) {
            add(a)
            if let b = b { add(b) }
            if proto == 0x00fd { status(FlowStat.PPP_NRHD) }
        } else {
            // T2 prints the two protocol bytes swapped.
            add(bytes: ProtocolTokens.unknownHex(UInt32(proto.byteSwapped), digits: 4))
            status(FlowStat.STPDSCT)
        }
    }

    /// PPP link type payload.
    func pppProtocol(_ proto: UInt16, at o: Int) -> DissectOutcome {
        switch proto {
        case 0x0021: return ipv4(at: o)
        case 0x0057: return ipv6(at: o)
        case 0x0281, 0x0283:
            add("mpls")
            status(FlowStat.STPDSCT)
            return .none
        default:
            addPPPToken(proto)
            return .none
        }
    }

    /// MPLS label stack (EtherType 0x8847/0x8848).
    func mpls(_ type: UInt16, at start: Int) -> DissectOutcome {
        status(type == 0x8847 ? FlowStat.L2_MPLS_UCAST : FlowStat.L2_MPLS_MCAST)
        var p = start
        var labels = 0
        pkt.pointee.mplsOffset = start
        while has(p, 4) {
            labels += 1
            let bottom = b8(p + 2) & 0x01 != 0
            p += 4
            if bottom { break }
        }
        pkt.pointee.mplsCount = labels
        if labels > stats.maxMPLS { stats.maxMPLS = labels }
        addRepeated("mpls", labels)
        guard has(p, 1) else { status(FlowStat.L2SNAPLENGTH); return .none }
        switch b8(p) >> 4 {
        case 4: return ipv4(at: p)
        case 6: return ipv6(at: p)
        case 0:
            add("pwethcw")
            add("eth")
            return innerEthernet(at: p + 4)
        default:
            add("eth")
            return innerEthernet(at: p)
        }
    }

    /// An inner Ethernet frame (MPLS pseudowire, ERSPAN, VXLAN, GENEVE, GRE-TEB, EtherIP):
    /// it becomes the current L2 header.
    func innerEthernet(at o: Int) -> DissectOutcome {
        guard has(o, 14) else { status(FlowStat.L2SNAPLENGTH); return .none }
        pkt.pointee.l2Offset = o
        l2Start = o
        return etherType(b16(o + 12), at: o + 14)
    }

    // MARK: L2 flows (core.md 4.7)

    enum PadRule { case arp, llc(lengthField: Int, llcStart: Int), plain }

    func l2Flow(ethType: UInt16, payloadAt o: Int, pad: PadRule) -> DissectOutcome {
        let p = pkt
        p.pointee.status |= FlowStat.L2_FLOW
        p.pointee.ethType = ethType
        let rawLen = p.pointee.rawLength
        p.pointee.l7Offset = o
        p.pointee.l7Length = max(0, rawLen - o)
        // T2 counts the captured L7 bytes from the current L2 header, which overshoots
        // the capture by the bytes in front of it (26 behind an ISL header).
        p.pointee.snapL7Length = max(0, caplen - (o - max(0, p.pointee.l2Offset)))
        if p.pointee.l2Offset >= 0 { p.pointee.snapL2Length = caplen - p.pointee.l2Offset }
        if rawLen <= 64 {
            var pad = pad
            if llcLengthField >= 0 { pad = .llc(lengthField: llcLengthField, llcStart: llcStart) }
            let padLen: Int
            switch pad {
            case .arp: padLen = rawLen - 28 - o
            case .llc(let lengthField, let llcStart): padLen = rawLen - lengthField - (llcStart + 2)
            case .plain: padLen = rawLen - o
            }
            if padLen >= 0 { p.pointee.padLength = padLen }
        }
        // L2 flows need the MAC pair of the current L2 header for their key.
        guard p.pointee.l2Offset >= 0, has(p.pointee.l2Offset, 12) else { return .none }
        return .l2Flow
    }
}
