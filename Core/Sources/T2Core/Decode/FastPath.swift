// The common case in one straight pass: an Ethernet frame carrying an unfragmented
// IPv4 packet without options, with TCP or UDP, fully captured, on ports no tunnel
// decoder or SSDP/DTLS/IPsec rule looks at. It fills the packet exactly as the general
// path does (a unit test compares both on every conformance packet); anything else
// falls back to the general path.

extension Dissector {
    /// Returns nil when the packet is not the common case.
    @inline(__always)
    func fastIPv4(_ p: UnsafeMutablePointer<PacketData>, data: UnsafeRawPointer, caplen: Int) -> DissectOutcome? {
        guard caplen >= 42 else { return nil }
        // Ethernet type 0x0800 (bytes 12–13), version 4 with IHL 5, no MF/offset.
        guard data.le16(12) == 0x0008, data.u8(14) == 0x45, data.be16(20) & 0x3fff == 0 else { return nil }
        let d0 = data.be32(0)
        guard !((d0 == 0x0100_0c00 || d0 == 0x0300_0c00) && data.u8(4) == 0) else { return nil }   // ISL
        let proto = data.u8(23)
        let rawLen = p.pointee.rawLength
        let calcL3 = Int(UInt16(truncatingIfNeeded: rawLen - 14))
        let l3Len = Int(data.be16(16))
        guard l3Len != 0, l3Len <= calcL3, caplen - 14 >= l3Len else { return nil }   // no snap, no mismatch
        let sport = data.be16(34), dport = data.be16(36)
        let l4Hdr: Int
        if proto == 6 {
            guard l3Len >= 40 else { return nil }
            l4Hdr = Int(data.u8(46) >> 4) * 4
            guard l3Len - 20 - l4Hdr >= 0, sport != 5072, dport != 5072 else { return nil }
        } else if proto == 17 {
            guard l3Len >= 28 else { return nil }
            l4Hdr = 8
            if sport != 0 && dport != 0 && mayBeTunnel(proto: 17, sport, dport) { return nil }
            if sport == 4500 || dport == 4500 { return nil }
            // A payload that may start a DTLS record goes the general way.
            if l3Len > 28 && caplen > 42 {
                let ct = data.u8(42)
                if ct >= 0x14 && ct <= 0x3f { return nil }
            }
        } else {
            return nil
        }
        if sport == 1900 || dport == 1900 { return nil }

        p.pointee.status = FlowStat.IPV4_PKT | FlowStat.L2_IPV4
        p.pointee.vlanOffset = -1
        p.pointee.mplsOffset = -1
        p.pointee.ipv6HopByHopOffset = -1
        p.pointee.ipv6DestOptsOffset = -1
        p.pointee.ipv6FragOffset = -1
        p.pointee.vlanID = 0
        p.pointee.vlanCount = 0
        p.pointee.mplsCount = 0
        p.pointee.padLength = 0
        p.pointee.fragmentOffset = 0
        p.pointee.moreFragments = false
        p.pointee.flowIndex = -1
        p.pointee.headerCount = 3
        p.pointee.headerDescription.setCommon(tcp: proto == 6)
        p.pointee.l2Offset = 0
        p.pointee.l3Offset = 14
        p.pointee.l4Offset = 34
        let l7Off = 34 + l4Hdr
        p.pointee.l7Offset = l7Off
        p.pointee.ethType = 0x0800
        p.pointee.ipVersion = 4
        p.pointee.l4Proto = proto
        p.pointee.srcIP = IPAddress(ipv4At: data + 26)
        p.pointee.dstIP = IPAddress(ipv4At: data + 30)
        p.pointee.srcPort = sport
        p.pointee.dstPort = dport
        p.pointee.ipID = UInt32(data.be16(18))
        p.pointee.l3Length = l3Len
        p.pointee.l3HeaderLength = 20
        p.pointee.l4HeaderLength = l4Hdr
        let l7 = l3Len - 20 - l4Hdr
        p.pointee.l7Length = l7
        p.pointee.snapL2Length = caplen
        p.pointee.snapL3Length = l3Len
        p.pointee.snapL4Length = l3Len - 20
        p.pointee.snapL7Length = max(0, min(caplen - l7Off, l7))
        stats.bytesOnWire &+= UInt64(UInt16(truncatingIfNeeded: l3Len + 14))
        return .ipFlow
    }
}

extension HeaderDescription {
    /// "eth:ipv4:tcp" or "eth:ipv4:udp" in one store.
    @inline(__always)
    mutating func setCommon(tcp: Bool) {
        // Little-endian words of the 12 characters.
        storage.0 = 0x3476_7069_3a68_7465   // "eth:ipv4"
        storage.1 = tcp ? 0x7063_743a : 0x7064_753a   // ":tcp" / ":udp"
        count = 12
        overrun = false
    }
}
