// Inputs that crashed the fuzz target (Fuzz/, tools/fuzz), fed through PacketFeeder the
// way the target feeds them. The same inputs, in the target's format, are kept under
// Fuzz/regressions/ (`tools/fuzz -r Fuzz/regressions/*` replays them under ASan).
import XCTest
import Foundation
@testable import T2Core

final class FuzzRegressionTests: XCTestCase {
    /// Feeds `frames` one second apart (wire length = captured length unless given), then
    /// writes every flow. Returns the feeder for its counters.
    @discardableResult
    func feed(_ frames: [[UInt8]], linkType: Int32 = LinkType.EN10MB, wire: [Int?]? = nil,
              seconds: [Int]? = nil) -> PacketFeeder {
        let f = PacketFeeder(linkType: linkType)
        for (i, frame) in frames.enumerated() {
            frame.withUnsafeBytes {
                f.feed($0, wireLength: wire?[i] ?? frame.count, seconds: seconds?[i] ?? 1_500_000_000 + i)
            }
        }
        f.finish()
        return f
    }

    /// Feeds one frame that ends right before a page without access rights, so that a
    /// read past the captured bytes crashes the test instead of going unnoticed.
    @discardableResult
    func feedGuarded(_ frame: [UInt8], linkType: Int32 = LinkType.EN10MB, wire: Int? = nil) -> PacketFeeder {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let size = (frame.count + page - 1) / page * page + page
        let m = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        defer { munmap(m, size) }
        mprotect(m + size - page, page, PROT_NONE)
        let start = m + size - page - frame.count
        frame.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
        let f = PacketFeeder(linkType: linkType)
        f.feed(UnsafeRawBufferPointer(start: start, count: frame.count), wireLength: wire ?? frame.count,
               seconds: 1_500_000_000)
        f.finish()
        return f
    }

    /// Runs `body` on a thread with a stack of `bytes`: a decoder that recurses once per
    /// nested header crashes here instead of passing on the 8 MB main thread.
    func onSmallStack(_ bytes: Int = 1 << 20, _ body: @escaping () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let t = Thread { body(); done.signal() }
        t.stackSize = bytes
        t.start()
        done.wait()
    }

    let macs: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]

    func ipv4Header(proto: UInt8, total: UInt16 = 0) -> [UInt8] {
        [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 1, 0, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]
    }

    func ipv6Header(next: UInt8) -> [UInt8] {
        [0x60, 0, 0, 0, 0, 0, next, 64] + [0x20, 0x01] + [UInt8](repeating: 0, count: 13) + [1]
            + [0x20, 0x01] + [UInt8](repeating: 0, count: 13) + [2]
    }

    /// `unit` repeated after `head` up to `size` bytes (the largest pcap record libpcap
    /// accepts is 262144 bytes).
    func chain(_ head: [UInt8], _ unit: [UInt8], size: Int = 262_144) -> [UInt8] {
        var f = head
        f.reserveCapacity(size)
        while f.count + unit.count <= size { f += unit }
        return f
    }

    // MARK: Unbounded recursion over nested headers (stack overflow)
    //
    // Found with a 65535-byte frame (Fuzz/regressions/stack-overflow-snap-chain,
    // -gre-chain): every nested header is a call, and an 802.3 frame whose SNAP type
    // is again an 802.3 length nests every 8 bytes, IPv4/GRE every 24. The dissector
    // now stops after Dissector.maxNesting nested headers.

    func testSNAPChainStopsAtTheNestingLimit() {
        // 802.3 length 16, then LLC/SNAP headers whose type is again a length.
        let frame = chain(macs + [0x00, 0x10], [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x00, 0x10])
        var f: PacketFeeder!
        onSmallStack { f = self.feed([frame]) }
        XCTAssertEqual(f.counters.numPackets, 1)
        XCTAssertNotEqual(f.analyzer.flows.aggregatedStatus & FlowStat.STPDSCT, 0)
    }

    func testGREChainStopsAtTheNestingLimit() {
        let frame = chain(macs + [0x08, 0x00], ipv4Header(proto: 47) + [0x00, 0x00, 0x08, 0x00])
        var f: PacketFeeder!
        onSmallStack { f = self.feed([frame]) }
        XCTAssertEqual(f.counters.numPackets, 1)
        XCTAssertNotEqual(f.analyzer.flows.aggregatedStatus & FlowStat.STPDSCT, 0)
    }

    func testIPInIPChainsStopAtTheNestingLimit() {
        let v4 = chain(macs + [0x08, 0x00], ipv4Header(proto: 4))
        let v6 = chain(macs + [0x86, 0xdd], ipv6Header(next: 41))
        let mixed = chain(macs + [0x08, 0x00], ipv4Header(proto: 41) + ipv6Header(next: 4))
        // MPLS pseudowire: label with bottom of stack, control word, Ethernet again.
        let mpls = chain(macs + [0x88, 0x47], [0, 0, 1, 64, 0, 0, 0, 0] + macs + [0x88, 0x47])
        for frame in [v4, v6, mixed, mpls] {
            var f: PacketFeeder!
            onSmallStack { f = self.feed([frame]) }
            XCTAssertEqual(f.counters.numPackets, 1)
        }
    }

    func testRealisticNestingIsUnaffected() {
        // 30 IPv4-in-IPv4 headers, then UDP: still one flow between the innermost addresses.
        var frame = macs + [0x08, 0x00]
        for _ in 0..<30 { frame += ipv4Header(proto: 4, total: 0) }
        frame += ipv4Header(proto: 17, total: 28) + [0x04, 0xd2, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00]
        let f = feed([frame])
        XCTAssertEqual(f.counters.totalFlows, 1)
        XCTAssertEqual(f.analyzer.flows.aggregatedStatus & FlowStat.STPDSCT, 0)
    }

    // MARK: Reads past the captured bytes

    /// A PIM register (type 1) whose capture ends with the 8-byte PIM header: the
    /// version nibble of the inner packet was read one byte past the frame
    /// (Fuzz/regressions/heap-overflow-pim-register-end, PPP serial link).
    func testPIMRegisterEndingWithItsHeader() {
        let frame: [UInt8] = [0xff, 0x03, 0x00, 0x21,
                              0x45, 0xc0, 0x00, 0x36, 0x98, 0x1a, 0x00, 0x00, 0x01, 0x67, 0x04, 0x01,
                              0x24, 0x00, 0x13, 0x00, 0x04, 0x00, 0xfe, 0x52,
                              0x61, 0x6e, 0x67, 0x65, 0x01, 0x00, 0x00, 0x00]
        let f = feedGuarded(frame, linkType: LinkType.PPP_SERIAL, wire: 58)
        // Nothing follows the header: the packet stays the outer IPv4/PIM flow.
        XCTAssertEqual(f.counters.totalFlows, 1)
    }

    // MARK: Integer traps

    /// A flow whose first record carries a sub-second field of 0xffffffff (a damaged
    /// nanosecond pcap) and whose last carries 0: the single borrow of the duration
    /// left the nanoseconds negative, and converting them trapped, in basicFlow's
    /// duration and in the end report (Fuzz/regressions/trap-timestamp-ns-out-of-range).
    func testDurationWithOutOfRangeNanoseconds() {
        final class Durations: T2Plugin {
            override var name: String { "durations" }
            unowned(unsafe) var flows: FlowTable!
            var seen: [Timestamp] = []
            override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
                seen.append(flows[flowIndex].duration)
            }
        }
        let d = Durations()
        let f = PacketFeeder(linkType: LinkType.EN10MB, plugins: [d])
        d.flows = f.analyzer.flows
        let frame = macs + [0x08, 0x00] + ipv4Header(proto: 17, total: 28) + [0x04, 0xd2, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00]
        for ns in [0xffff_ffff, 0] {
            frame.withUnsafeBytes { f.feed($0, seconds: 1_500_000_000, nanoseconds: ns) }
        }
        f.finish()
        // 0 − (2³² − 1) + 10⁹, wrapped to 32 bits like the seconds, one second borrowed.
        XCTAssertEqual(d.seen, [Timestamp(sec: UInt64.max, ns: UInt32(truncatingIfNeeded: 1_000_000_000 - 0xffff_ffff))])
    }
}
