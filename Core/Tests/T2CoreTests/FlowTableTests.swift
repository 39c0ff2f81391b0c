// The flow table's open addressing (insert, lookup, backward-shift removal) against a
// dictionary model, and the command-line parser against core.md section 2.
import XCTest
@testable import T2Core

final class FlowTableTests: XCTestCase {
    func key(_ i: Int) -> FlowKey {
        FlowKey(srcIP: IPAddress(hi: UInt64(i % 97), lo: 0), dstIP: IPAddress(hi: UInt64(i), lo: 1), ethType: 0x0800,
                vlanID: 0, srcPort: UInt16(i & 0xffff), dstPort: 80, proto: 6)
    }

    func testInsertLookupRemoveAgainstModel() {
        let t = FlowTable(hashFactor: 1)
        var model: [Int: Int] = [:]   // key number -> flow index
        var rng = SystemRandomNumberGenerator()
        for step in 0..<200_000 {
            let k = Int(rng.next(upperBound: UInt32(5000)))
            let fk = key(k)
            let found = t.lookup(fk, hash: fk.hash)
            XCTAssertEqual(found, model[k] ?? -1, "step \(step)")
            if found < 0 {
                model[k] = t.insert(fk, hash: fk.hash)
            } else if rng.next(upperBound: UInt32(3)) == 0 {
                t.remove(found)
                model[k] = nil
            }
        }
        XCTAssertEqual(t.count, model.count)
        // Indices stay dense: no more records were used than flows were alive at once.
        XCTAssertLessThanOrEqual(t.highWater, 5000)
    }

    func testOptions() {
        guard case .run(let o) = OptionParser.parse(["t2", "-r", "x.pcap", "-w", "out/", "-f", "0x2", "tcp", "port", "80"]) else {
            return XCTFail("parse failed")
        }
        XCTAssertEqual(o.input, .file("x.pcap"))
        XCTAssertEqual(o.hashFactor, 2)
        XCTAssertEqual(o.bpf, "tcp port 80")
        guard case .error(let e) = OptionParser.parse(["t2", "-r", "a", "-i", "lo"]) else { return XCTFail() }
        XCTAssertEqual(e, "'-r', '-R', '-D' and '-i' options can only be used exclusively")
        guard case .error(let e2) = OptionParser.parse(["t2", "-f", "0", "-r", "a"]) else { return XCTFail() }
        XCTAssertEqual(e2, "Option '-f': Hash factor must be greater than 0")
        guard case .error(let e3) = OptionParser.parse(["t2", "-Z"]) else { return XCTFail() }
        XCTAssertEqual(e3, "Unknown option '-Z'")
        guard case .error(let e4) = OptionParser.parse(["t2", "-r"]) else { return XCTFail() }
        XCTAssertEqual(e4, "Option '-r' requires an argument")
        guard case .exit(let help, 0) = OptionParser.parse(["t2", "-h"]) else { return XCTFail() }
        XCTAssertTrue(help.hasSuffix("tcpdump\n\n"))
        let s = OptionParser.parseSplit("wsplit:2f,3")
        XCTAssertEqual(s, SplitSpec(prefix: "wsplit", size: 2, countsFlows: true, start: 3))
        XCTAssertEqual(OptionParser.parseSplit("p:1.5Kf").size, 1500)
    }

    func testRegexInput() {
        let r = RegexInput("dump.pcap00,5")!
        XCTAssertEqual(r.currentPattern, "dump.pcap00")
        XCTAssertEqual(r.stop, 5)
        let q = RegexInput("cap_x7:x")!
        XCTAssertEqual(q.stem, "cap_x")
        XCTAssertEqual(q.index, 7)
        XCTAssertNil(RegexInput("nodigits.pcap"))
    }
}
