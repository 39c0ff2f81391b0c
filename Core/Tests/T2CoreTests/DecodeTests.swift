// The dissector and the flow key on crafted frames: header descriptions and counts,
// VLAN/MPLS/PPPoE/LLC, IPv4/IPv6 lengths, fragments, tunnels. The expected values are
// written from the protocol layouts and spec/core.md section 4, independently of the code.
import XCTest
@testable import T2Core

final class DecodeTests: XCTestCase {
    /// Dissects one frame and returns the packet and the outcome.
    func dissect(_ frame: [UInt8], linkType: Int32 = LinkType.EN10MB, len: Int? = nil) -> (PacketData, DissectOutcome) {
        let p = UnsafeMutablePointer<PacketData>.allocate(capacity: 1)
        p.initialize(to: PacketData())
        defer { p.deallocate() }
        let d = Dissector(linkType: linkType, packet: p, log: Log())
        let outcome = frame.withUnsafeBytes {
            d.dissect(data: $0.baseAddress!, caplen: frame.count, readable: 0, len: len ?? frame.count,
                      ts: Timestamp(sec: 1, ns: 0), number: 1)
        }
        return (p.pointee, outcome)
    }

    let macs: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]

    func ipv4(proto: UInt8, payload: [UInt8], id: UInt16 = 1, frag: UInt16 = 0, src: [UInt8] = [10, 0, 0, 1], dst: [UInt8] = [10, 0, 0, 2]) -> [UInt8] {
        let total = 20 + payload.count
        return [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), UInt8(id >> 8), UInt8(id & 0xff),
                UInt8(frag >> 8), UInt8(frag & 0xff), 64, proto, 0, 0] + src + dst + payload
    }

    func tcp(_ sp: UInt16, _ dp: UInt16, flags: UInt8 = 0x10, window: UInt16 = 1000, payload: [UInt8] = []) -> [UInt8] {
        [UInt8(sp >> 8), UInt8(sp & 0xff), UInt8(dp >> 8), UInt8(dp & 0xff), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags,
         UInt8(window >> 8), UInt8(window & 0xff), 0, 0, 0, 0] + payload
    }

    func udp(_ sp: UInt16, _ dp: UInt16, payload: [UInt8] = []) -> [UInt8] {
        let l = 8 + payload.count
        return [UInt8(sp >> 8), UInt8(sp & 0xff), UInt8(dp >> 8), UInt8(dp & 0xff), UInt8(l >> 8), UInt8(l & 0xff), 0, 0] + payload
    }

    func testEthernetIPv4TCP() {
        let (p, o) = dissect(macs + [0x08, 0x00] + ipv4(proto: 6, payload: tcp(3372, 80, payload: Array("GET".utf8))))
        XCTAssertEqual(o, .ipFlow)
        XCTAssertEqual(p.headerDescription.string, "eth:ipv4:tcp")
        XCTAssertEqual(p.headerCount, 3)
        XCTAssertEqual(p.srcPort, 3372)
        XCTAssertEqual(p.dstPort, 80)
        XCTAssertEqual(p.l7Length, 3)
        XCTAssertEqual(p.l3Length, 43)
        XCTAssertEqual(p.ethType, 0x0800)
        XCTAssertEqual(p.status & FlowStat.IPV4_PKT, FlowStat.IPV4_PKT)
        XCTAssertEqual(p.status & FlowStat.L2_IPV4, FlowStat.L2_IPV4)
    }

    func testQinQAndVLANID() {
        // Outer tag VID 100, inner tag prio 3 VID 54 (TCI 0x6036).
        let frame = macs + [0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x60, 0x36, 0x08, 0x00] + ipv4(proto: 17, payload: udp(5000, 53))
        let (p, _) = dissect(frame)
        XCTAssertEqual(p.headerDescription.string, "eth:vlan{2}:ipv4:udp")
        XCTAssertEqual(p.headerCount, 4 + 1)
        XCTAssertEqual(p.vlanID, 54)
        XCTAssertEqual(p.vlanOffset, 14)
        XCTAssertNotEqual(p.status & FlowStat.L2_VLAN, 0)
    }

    func testMPLSTwoLabels() {
        let frame = macs + [0x88, 0x47, 0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40] + ipv4(proto: 6, payload: tcp(1, 2))
        let (p, _) = dissect(frame)
        XCTAssertEqual(p.headerDescription.string, "eth:mpls{2}:ipv4:tcp")
        XCTAssertEqual(p.headerCount, 5)
        XCTAssertEqual(p.mplsCount, 2)
    }

    func testPPPoESessionIPv4() {
        let frame = macs + [0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x00, 0x20, 0x00, 0x21] + ipv4(proto: 17, payload: udp(37535, 53))
        let (p, o) = dissect(frame)
        XCTAssertEqual(o, .ipFlow)
        XCTAssertEqual(p.headerDescription.string, "eth:pppoes:ppp:ipv4:udp")
        XCTAssertEqual(p.headerCount, 5)
        XCTAssertNotEqual(p.status & FlowStat.L2_PPPoE_S, 0)
    }

    func testARPIsL2FlowWithPadding() {
        let frame = macs + [0x08, 0x06] + [UInt8](repeating: 1, count: 28) + [UInt8](repeating: 0, count: 18)
        let (p, o) = dissect(frame)
        XCTAssertEqual(o, .l2Flow)
        XCTAssertEqual(p.headerDescription.string, "eth:arp")
        XCTAssertEqual(p.ethType, 0x0806)
        XCTAssertEqual(p.padLength, 60 - 28 - 14)
    }

    func testSTPviaLLC() {
        // 802.3 length 39, DSAP/SSAP 0x42, UI control.
        let frame = macs + [0x00, 0x27, 0x42, 0x42, 0x03] + [UInt8](repeating: 0, count: 36) + [UInt8](repeating: 0, count: 7)
        let (p, o) = dissect(frame)
        XCTAssertEqual(o, .l2Flow)
        XCTAssertEqual(p.headerDescription.string, "eth:llc:stp")
        XCTAssertEqual(p.ethType, 0x4242)
        XCTAssertEqual(p.padLength, 60 - 39 - 14)
    }

    func testUnknownEtherTypeStopsDissecting() {
        let (p, o) = dissect(macs + [0x12, 0x34] + [UInt8](repeating: 0, count: 46))
        XCTAssertEqual(o, .l2Flow)
        XCTAssertEqual(p.headerDescription.string, "eth:UNK(0x1234)")
        XCTAssertNotEqual(p.status & FlowStat.STPDSCT, 0)
    }

    func testIPv4LaterFragment() {
        let frame = macs + [0x08, 0x00] + ipv4(proto: 17, payload: [UInt8](repeating: 0, count: 16), id: 7, frag: 185)
        let (p, o) = dissect(frame)
        XCTAssertEqual(o, .ipFlow)
        XCTAssertEqual(p.fragmentOffset, 185)
        XCTAssertEqual(p.srcPort, 0)
        XCTAssertEqual(p.l4HeaderLength, 0)
        XCTAssertEqual(p.headerDescription.string, "eth:ipv4:udp")
        XCTAssertNotEqual(p.status & FlowStat.STPDSCT, 0)
    }

    func testIHLTooShortMakesNoFlow() {
        var ip = ipv4(proto: 6, payload: tcp(1, 2))
        ip[0] = 0x44
        let (p, o) = dissect(macs + [0x08, 0x00] + ip)
        XCTAssertEqual(o, .none)
        XCTAssertNotEqual(p.status & FlowStat.IPV4_HL_TOO_SHORT, 0)
    }

    func testSnappedIPv4() {
        let full = macs + [0x08, 0x00] + ipv4(proto: 6, payload: tcp(1, 2, payload: [UInt8](repeating: 65, count: 100)))
        let (p, _) = dissect(Array(full.prefix(60)), len: full.count)
        XCTAssertNotEqual(p.status & FlowStat.L3SNAPLENGTH, 0)
        XCTAssertEqual(p.l7Length, 100)
        XCTAssertEqual(p.snapL7Length, 60 - 54)
    }

    func testIPv6WithFragmentHeader() {
        let payload = tcp(8081, 35966)
        var ip6: [UInt8] = [0x60, 0, 0, 0, 0, UInt8(8 + payload.count), 44, 64]
        ip6 += [UInt8](repeating: 0, count: 15) + [1] + [UInt8](repeating: 0, count: 15) + [1]
        ip6 += [6, 0, 0x00, 0x01, 0x0c, 0xa6, 0x39, 0xe4]   // next TCP, offset 0, M=1, id
        let (p, o) = dissect(macs + [0x86, 0xdd] + ip6 + payload)
        XCTAssertEqual(o, .ipFlow)
        XCTAssertEqual(p.headerDescription.string, "eth:ipv6:ipv6.fraghdr:tcp")
        XCTAssertEqual(p.headerCount, 4)
        XCTAssertTrue(p.moreFragments)
        XCTAssertEqual(p.ipID, 0x0ca639e4)
        XCTAssertEqual(p.l4Proto, 6)
        XCTAssertEqual(p.srcPort, 8081)
    }

    func testRawIPAndNullLinkTypes() {
        let ip = ipv4(proto: 1, payload: [8, 0, 0, 0, 0, 0, 0, 0])
        let (p, _) = dissect(ip, linkType: LinkType.RAW)
        XCTAssertEqual(p.headerDescription.string, "raw:ipv4:icmp")
        XCTAssertNotEqual(p.status & FlowStat.L2_NO_ETH, 0)
        let (q, _) = dissect([2, 0, 0, 0] + ip, linkType: LinkType.NULL)
        XCTAssertEqual(q.headerDescription.string, "null:ipv4:icmp")
        let (r, _) = dissect(ip, linkType: LinkType.IPV4)
        XCTAssertEqual(r.headerDescription.string, ":ipv4:icmp")
    }

    func testL2TPCarriesIPv6() {
        let inner: [UInt8] = [0x60, 0, 0, 0, 0, 20, 6, 64] + [UInt8](repeating: 0x20, count: 32) + tcp(37034, 80)
        let l2tp: [UInt8] = [0x00, 0x02, 0x12, 0x34, 0x00, 0x01, 0xff, 0x03, 0x00, 0x57] + inner
        let frame = macs + [0x08, 0x00] + ipv4(proto: 17, payload: udp(1701, 1701, payload: l2tp))
        let (p, o) = dissect(frame)
        XCTAssertEqual(o, .ipFlow)
        XCTAssertEqual(p.headerDescription.string, "eth:ipv4:udp:l2tp:ppp:ipv6:tcp")
        XCTAssertEqual(p.ipVersion, 6)
        XCTAssertEqual(p.ethType, 0x86dd)
        XCTAssertNotEqual(p.status & FlowStat.L2_L2TP, 0)
    }

    func testGREWithInnerIPv4() {
        let inner = ipv4(proto: 6, payload: tcp(1000, 80), src: [192, 168, 0, 1], dst: [192, 168, 0, 2])
        let gre: [UInt8] = [0x00, 0x00, 0x08, 0x00] + inner
        let (p, _) = dissect(macs + [0x08, 0x00] + ipv4(proto: 47, payload: gre))
        XCTAssertEqual(p.headerDescription.string, "eth:ipv4:gre:ipv4:tcp")
        XCTAssertEqual(p.srcIP.ipv4Value, 0xc0a8_0001)
        XCTAssertNotEqual(p.status & FlowStat.L2_GRE, 0)
    }

    func testVXLANInnerEthernet() {
        let innerFrame = macs + [0x08, 0x00] + ipv4(proto: 17, payload: udp(1111, 2222))
        let vx: [UInt8] = [0x08, 0, 0, 0, 0, 0, 0x01, 0] + innerFrame
        let (p, _) = dissect(macs + [0x08, 0x00] + ipv4(proto: 17, payload: udp(50000, 4789, payload: vx)))
        XCTAssertEqual(p.headerDescription.string, "eth:ipv4:udp:vxlan:eth:ipv4:udp")
        XCTAssertEqual(p.srcPort, 1111)
        XCTAssertNotEqual(p.status & FlowStat.L3_VXLAN, 0)
    }

    func testHeaderDescriptionOverrun() {
        var d = HeaderDescription()
        var ok = d.append("eth", colon: false)
        while ok { ok = d.append("ipv6.hopopts") }
        XCTAssertTrue(d.overrun)
        XCTAssertTrue(d.string.hasSuffix("..."))
        XCTAssertLessThanOrEqual(d.count, 127)
        XCTAssertFalse(d.append("tcp"))
    }

    func testFlowKeyReverse() {
        let a = FlowKey(srcIP: IPAddress(hi: 1, lo: 2), dstIP: IPAddress(hi: 3, lo: 4), ethType: 0x0800, vlanID: 5,
                        srcPort: 1234, dstPort: 80, proto: 6)
        let r = a.reversed
        XCTAssertEqual(r.srcIP, a.dstIP)
        XCTAssertEqual(r.srcPort, 80)
        XCTAssertEqual(r.dstPort, 1234)
        XCTAssertEqual(r.proto, 6)
        XCTAssertEqual(r.vlanID, 5)
        XCTAssertEqual(r.reversed, a)
        let l2: [UInt8] = [1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16]
        let k = l2.withUnsafeBytes { FlowKey(l2Header: $0.baseAddress!, ethType: 0x0806, vlanID: 0) }
        XCTAssertEqual(k.dstMAC.value, 0x010203040506)
        XCTAssertEqual(k.srcMAC.value, 0x0b0c0d0e0f10)
        XCTAssertEqual(k.reversed.dstMAC, k.srcMAC)
        XCTAssertEqual(k.reversed.srcMAC, k.dstMAC)
        XCTAssertEqual(k.reversed.ethType, 0x0806)
    }
}

extension DissectOutcome: Equatable {}
