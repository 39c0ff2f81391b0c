// Output formats of the core: number rendering, IPv6 text, durations, the report's
// human-readable suffix, the string sanitizer. Expected values come from the spec's
// verified examples and from glibc (inet_ntop, printf), not from our own output.
import XCTest
@testable import T2Core
#if canImport(Glibc)
import Glibc
#endif

final class FormatTests: XCTestCase {
    func text(_ body: (TextBuffer) -> Void) -> String {
        let b = TextBuffer()
        body(b)
        return b.string
    }

    func testDecimalAndHex() {
        XCTAssertEqual(text { $0.appendDecimal(UInt64(0)) }, "0")
        XCTAssertEqual(text { $0.appendDecimal(UInt64.max) }, "18446744073709551615")
        XCTAssertEqual(text { $0.appendDecimal(Int64(-5)) }, "-5")
        XCTAssertEqual(text { $0.appendHex(0x0400000000004001, digits: 16) }, "0x0400000000004001")
        XCTAssertEqual(text { $0.appendHex(0x800, digits: 4) }, "0x0800")
        XCTAssertEqual(text { $0.appendTimestamp(Timestamp(sec: 1084443429, ns: 864896000)) }, "1084443429.864896000")
        XCTAssertEqual(text { $0.appendTimestamp(Timestamp(sec: 0x1_0000_0005, ns: 7)) }, "5.000000007")
    }

    /// Our IPv6 text against glibc's inet_ntop for addresses of every shape.
    func testIPv6MatchesInetNtop() {
        var rng = SystemRandomNumberGenerator()
        var samples: [[UInt8]] = [
            [UInt8](repeating: 0, count: 16),
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 207, 46, 46, 121],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 3],
            [0x20, 0x01, 0x06, 0x78, 0, 0x18, 0, 0, 0x01, 0x94, 0x01, 0x90, 0x01, 0x24, 0, 0x17],
            [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xca, 0x4c, 0x75, 0xff, 0xfe, 0x78, 0xed, 0],
        ]
        for _ in 0..<2000 {
            // Random addresses with many zero groups, to exercise run selection.
            samples.append((0..<16).map { _ in rng.next(upperBound: UInt32(4)) == UInt32(0) ? UInt8.random(in: 0...255, using: &rng) : 0 })
        }
        for s in samples {
            let addr = s.withUnsafeBytes { IPAddress(ipv6At: $0.baseAddress!) }
            var buf = [CChar](repeating: 0, count: 64)
            _ = s.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &buf, 64) }
            XCTAssertEqual(text { $0.appendIPv6(addr) }, String(cString: buf), "\(s)")
        }
    }

    func testMACAndIPv4() {
        let mac: [UInt8] = [0x00, 0x15, 0xc7, 0x56, 0x80, 0x0a]
        XCTAssertEqual(text { b in mac.withUnsafeBytes { b.appendMAC(MACAddress(at: $0.baseAddress!)) } }, "00:15:c7:56:80:0a")
        let ip: [UInt8] = [145, 254, 160, 237]
        XCTAssertEqual(text { b in ip.withUnsafeBytes { b.appendIPv4(IPAddress(ipv4At: $0.baseAddress!)) } }, "145.254.160.237")
    }

    /// The spec's verified examples of the human-readable suffix (core.md 10.2).
    func testHumanReadableSuffix() {
        XCTAssertEqual(ReportFormat.hr(UInt64(25091)), " (25.09 K)")
        XCTAssertEqual(ReportFormat.hr(UInt64(994)), "")
        XCTAssertEqual(ReportFormat.hr(UInt64(1020)), "")
        XCTAssertEqual(ReportFormat.hr(UInt64(1036)), " (1.04 K)")
        XCTAssertEqual(ReportFormat.hr(UInt64(65535)), " (65.53 K)")
        XCTAssertEqual(ReportFormat.hr(UInt64(5479846)), " (5.48 M)")
        XCTAssertEqual(ReportFormat.hr(UInt64(9475)), " (9.47 K)")
        XCTAssertEqual(ReportFormat.speed("<Bandwidth>", 6604.4), "<Bandwidth>: 6604 b/s (6.60 Kb/s)")
        XCTAssertEqual(ReportFormat.nump("Number of A packets", 20, of: 43), "Number of A packets: 20 [46.51%]")
    }

    /// Durations as in core.md 8, including the verified examples.
    func testDurations() {
        XCTAssertEqual(ReportFormat.duration(Timestamp(sec: 3598, ns: 996093000)), "3598.996093000 sec (59m 58s)")
        XCTAssertEqual(ReportFormat.duration(Timestamp(sec: 4999, ns: 0)), "4999.000000000 sec (1h 23m 19s)")
        XCTAssertEqual(ReportFormat.duration(Timestamp(sec: 6089758, ns: 456742000)), "6089758.456742000 sec (70d 11h 35m 58s)")
        XCTAssertEqual(ReportFormat.duration(Timestamp(sec: 30, ns: 393704000)), "30.393704000 sec")
        XCTAssertEqual(ReportFormat.duration(Timestamp(sec: 3600, ns: 0)), "3600.000000000 sec (1h)")
        XCTAssertEqual(Timestamp(sec: 10, ns: 100).minus(Timestamp(sec: 9, ns: 200)), Timestamp(sec: 0, ns: 999_999_900))
    }

    func testPacketDateIsUTC() {
        XCTAssertEqual(ReportFormat.packetDate(Timestamp(sec: 1084443427, ns: 311224000)),
                       "1084443427.311224000 sec (Thu 13 May 2004 10:17:07 GMT)")
    }

    /// txtSink's UTF-8 sanitizer (formats.md 2.4).
    func testSanitizer() {
        func san(_ bytes: [UInt8]) -> String {
            text { b in bytes.withUnsafeBytes { StringSanitizer.append($0, to: b) } }
        }
        XCTAssertEqual(san(Array("a\tb\"c\\".utf8)), "a\\tb\\\"c\\\\")
        XCTAssertEqual(san([0x01, 0x7f]), "\\u0001\\u007F")
        XCTAssertEqual(san(Array("é€😀".utf8)), "é€😀")
        XCTAssertEqual(san([0x80, 0x41]), ".A")
        XCTAssertEqual(san([0xc3, 0x41]), ".A")          // lead without continuation
        XCTAssertEqual(san([0xe0, 0x80, 0x80]), "..")    // overlong: two bytes consumed, then a stray continuation
        XCTAssertEqual(san([0xed, 0xa0, 0x80]), ".")     // surrogate
        XCTAssertEqual(san([0xf5, 0x41]), ".A")
    }

    func testFloatFormats() {
        XCTAssertEqual(text { $0.appendFloatG(2.0 / 3.0) }, "0.6666667")
        XCTAssertEqual(text { $0.appendFloatG(0) }, "0")
        XCTAssertEqual(text { $0.appendFloatG(1.5e-05) }, "1.5e-05")
        XCTAssertEqual(text { $0.appendFormat("%f", 0) }, "0.000000")
    }

    func printf(_ format: String, _ v: Double) -> String {
        var buf = [CChar](repeating: 0, count: 512)
        _ = withVaList([v]) { vsnprintf(&buf, 512, format, $0) }
        return String(cString: buf)
    }

    /// Type F without printf, against glibc's "%.7g": every exponent, ties, integers,
    /// both fixed-notation edges, signs, zero, inf and NaN.
    func testFloatGMatchesPrintf() {
        var rng = SystemRandomNumberGenerator()
        var samples: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 1, -1, 0.5, 2.5, 1234567.5, 1234568.5,
                                9999999, 1e7, 16777216, 0.0001, 0.00009999999, 9.999999e-5, 0.000099999995,
                                999999.94, 999999.96, 9999998.5, 0.1, 0.3, 1.0 / 3.0, 3.4028235e38, 1e-45,
                                Float.leastNormalMagnitude, 123.456, 65535.5, 2.2250739e-38]
        // Every float from 1e-5 to 1e8 on a coarse lattice, plus random bit patterns.
        var f: Float = 1e-5
        while f < 1e8 { samples.append(f); samples.append(f.nextUp); f *= 1.0009765625 }
        for _ in 0..<300_000 { samples.append(Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng))) }
        for _ in 0..<300_000 { samples.append(Float.random(in: -2e7...2e7, using: &rng)) }
        for _ in 0..<300_000 { samples.append(Float.random(in: 0...1, using: &rng)) }
        // Exact ties at the 7th significant digit: k + 0.5 for 7-digit k, and
        // their scaled dyadic relatives.
        for k in stride(from: 1_000_000, to: 8_388_608, by: 7919) {
            samples.append(Float(k) + 0.5)
            samples.append((Float(k) + 0.5) / 1024)
            // Exponent notation: 8-digit integers with a tie at the 8th digit, huge
            // values, and ties far below 1e-4.
            samples.append(Float(k * 2 + 1) * 8)
            samples.append(Float(k) * 1e20)
            samples.append((Float(k) + 0.5) / 1_073_741_824)
        }
        for e in -45...38 { samples.append(Float("1e\(e)")!); samples.append(Float("9.9999995e\(e)") ?? 1) }
        var failures = 0
        for v in samples {
            let ours = text { $0.appendFloatG(v) }
            let theirs = printf("%.7g", Double(v))
            if ours != theirs {
                failures += 1
                if failures < 10 { XCTFail("\(v.bitPattern): ours \(ours) printf \(theirs)") }
            }
        }
        XCTAssertEqual(failures, 0)
        XCTAssertGreaterThan(samples.count, 900_000)
    }

    func testDoubleFMatchesPrintf() {
        var samples: [Double] = [0, -0.0, 1, -1, 3, -123456789, 1e15, -1e15, 1e300, -1e-300, 5e-324, .infinity, .nan,
                                 0.5, 1.0000005, 123.4567895, 4.0000000000001, 9007199254740991.5, 9007199254740993,
                                 0.9999995, 0.99999949999, 0.0000005, 1.0 / 128, 3.0 / 128, 0.0078125, 1.0 / 1024]
        for _ in 0..<200_000 { samples.append(Double.random(in: -1e9...1e9)) }
        for _ in 0..<200_000 { samples.append(Double.random(in: 0...1)) }
        for _ in 0..<200_000 { samples.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max))) }
        for i in -100_000...100_000 { samples.append(Double(i)); samples.append(Double(i) / 2048) }
        // Exact ties at the 6th and 9th decimal: odd multiples of 2^-7 and 2^-10 (5^6 and 5^9 divide them).
        for k in stride(from: 1, to: 200_000, by: 2) { samples.append(Double(k) / 128); samples.append(Double(k) / 1024) }
        var failures = 0
        for v in samples {
            for (format, ours) in [("%f", text { $0.appendDoubleF(v) }), ("%.9f", text { $0.appendDouble9(v) })] {
                let theirs = printf(format, v)
                if ours != theirs {
                    failures += 1
                    if failures < 10 { XCTFail("\(format) \(v.bitPattern): ours \(ours) printf \(theirs)") }
                }
            }
        }
        XCTAssertEqual(failures, 0)
    }
}
