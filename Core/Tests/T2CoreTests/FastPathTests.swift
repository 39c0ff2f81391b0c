// The common-case shortcut must fill the packet exactly as the general dissector does:
// every packet of every conformance capture is dissected both ways and compared field
// by field (and the bandwidth counter with it).
import XCTest
import CPcap
@testable import T2Core

final class FastPathTests: XCTestCase {
    func captures() -> [String] {
        let here = URL(fileURLWithPath: #filePath)
        let shared = ProcessInfo.processInfo.environment["T2_SHARED"]
            ?? here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared").path
        let dir = shared + "/conformance/pcaps"
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return files.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { dir + "/" + $0 }
    }

    func fields(_ p: PacketData) -> [String] {
        // The description compares by its visible bytes (stale bytes past `count` differ).
        Mirror(reflecting: p).children.filter { $0.label != "headerDescription" }.map { "\($0.label ?? "?")=\($0.value)" }
            + ["hdrDesc=\(p.headerDescription.string)", "overrun=\(p.headerDescription.overrun)"]
    }

    func testFastPathEqualsGeneralPath() throws {
        let files = captures()
        XCTAssertGreaterThan(files.count, 20, "conformance captures not found")
        var compared = 0, fast = 0
        for file in files {
            var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
            guard let h = pcap_open_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &err) else { continue }
            defer { pcap_close(h) }
            let lt = pcap_datalink(h)
            let a = UnsafeMutablePointer<PacketData>.allocate(capacity: 1); a.initialize(to: PacketData())
            let b = UnsafeMutablePointer<PacketData>.allocate(capacity: 1); b.initialize(to: PacketData())
            defer { a.deallocate(); b.deallocate() }
            let log = Log()
            log.redirect(to: open("/dev/null", O_WRONLY))
            let general = Dissector(linkType: lt, packet: a, log: log)
            general.fastPathEnabled = false
            let shortcut = Dissector(linkType: lt, packet: b, log: log)
            var hdr: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            var n: UInt64 = 0
            while pcap_next_ex(h, &hdr, &data) == 1 {
                n += 1
                let caplen = Int(hdr!.pointee.caplen), len = Int(hdr!.pointee.len)
                let before = shortcut.stats.bytesOnWire
                let o1 = general.dissect(data: data!, caplen: caplen, readable: 0, len: len, ts: .zero, number: n)
                let o2 = shortcut.dissect(data: data!, caplen: caplen, readable: 0, len: len, ts: .zero, number: n)
                if o2 == .ipFlow && b.pointee.headerCount == 3 && b.pointee.headerDescription.count == 12 { fast += 1 }
                XCTAssertEqual(o1, o2, "\(file) packet \(n)")
                let f1 = fields(a.pointee), f2 = fields(b.pointee)
                if f1 != f2 {
                    XCTFail("\(file) packet \(n): \(zip(f1, f2).filter { $0 != $1 }.prefix(3))")
                    break
                }
                XCTAssertEqual(general.stats.bytesOnWire, shortcut.stats.bytesOnWire, "\(file) packet \(n)")
                _ = before
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 100_000)
        XCTAssertGreaterThan(fast, compared / 2, "the shortcut should take most packets")
    }
}
