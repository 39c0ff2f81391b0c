// bin2txt: one binary flow record rendered as a text line (formats.md §2), driven by
// the column descriptors. Used by txtSink; kept in the core for other text sinks.

public enum RenderError: Error {
    /// The record is shorter than its columns declare.
    case bufferOverflow(Int)
    case invalidIPVersion(UInt8)
}

public struct TextRenderer {
    let columns: [Column]

    public init(columns: [Column]) { self.columns = columns }

    /// Appends the record as TAB-separated values and a newline.
    public func render(_ record: UnsafeRawBufferPointer, into out: TextBuffer) throws {
        var r = Reader(base: record.baseAddress!, count: record.count)
        for (i, c) in columns.enumerated() {
            if i > 0 { out.tab() }
            let items = c.repeating ? Int(try r.u32()) : 1
            for item in 0..<items {
                if item > 0 { out.append(UInt8(ascii: ";")) }
                for (j, t) in c.types.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: "_")) }
                    try value(t, &r, out)
                }
            }
        }
        out.newline()
    }

    struct Reader {
        let base: UnsafeRawPointer
        let count: Int
        var pos = 0

        mutating func need(_ n: Int) throws {
            if pos + n > count { throw RenderError.bufferOverflow(pos + n) }
        }
        mutating func u8() throws -> UInt8 { try need(1); defer { pos += 1 }; return base.u8(pos) }
        mutating func u16() throws -> UInt16 { try need(2); defer { pos += 2 }; return base.le16(pos) }
        mutating func u32() throws -> UInt32 { try need(4); defer { pos += 4 }; return base.le32(pos) }
        mutating func u64() throws -> UInt64 { try need(8); defer { pos += 8 }; return base.le64(pos) }
        mutating func bytes(_ n: Int) throws -> UnsafeRawPointer { try need(n); defer { pos += n }; return base + pos }
        /// A NUL-terminated string.
        mutating func cString() throws -> UnsafeRawBufferPointer {
            var end = pos
            while true {
                try need(end - pos + 1)
                if base.u8(end) == 0 { break }
                end += 1
            }
            let s = UnsafeRawBufferPointer(start: base + pos, count: end - pos)
            pos = end + 1
            return s
        }
    }

    func value(_ t: ColumnType, _ r: inout Reader, _ out: TextBuffer) throws {
        switch t {
        case .u8: out.appendDecimal(UInt64(try r.u8()))
        case .u16: out.appendDecimal(UInt64(try r.u16()))
        case .u32: out.appendDecimal(UInt64(try r.u32()))
        case .u64: out.appendDecimal(try r.u64())
        case .i8: out.appendDecimal(Int64(Int8(bitPattern: try r.u8())))
        case .i16: out.appendDecimal(Int64(Int16(bitPattern: try r.u16())))
        case .i32: out.appendDecimal(Int64(Int32(bitPattern: try r.u32())))
        case .i64: out.appendDecimal(Int64(bitPattern: try r.u64()))
        case .h8: out.appendHex(UInt64(try r.u8()), digits: 2)
        case .h16: out.appendHex(UInt64(try r.u16()), digits: 4)
        case .h32: out.appendHex(UInt64(try r.u32()), digits: 8)
        case .h64: out.appendHex(try r.u64(), digits: 16)
        case .float: out.appendFloatG(Float(bitPattern: try r.u32()))
        case .double: out.appendFormat("%f", Double(bitPattern: try r.u64()))
        case .char: out.append(try r.u8())
        case .direction: out.append(try r.u8() == 0 ? UInt8(ascii: "A") : UInt8(ascii: "B"))
        case .timestamp, .duration:
            let sec = try r.u64()
            let ns = try r.u32()
            out.appendDecimal(sec)
            out.append(UInt8(ascii: "."))
            out.appendZeroPadded(UInt64(ns), width: 9)
        case .mac:
            let p = try r.bytes(6)
            out.appendMAC(MACAddress(at: p))
        case .ip4:
            let p = try r.bytes(4)
            out.appendIPv4(IPAddress(ipv4At: p))
        case .ip6:
            let p = try r.bytes(16)
            out.appendIPv6(IPAddress(ipv6At: p))
        case .ipx:
            let v = try r.u8()
            switch v {
            case 4: out.appendIPv4(IPAddress(ipv4At: try r.bytes(4)))
            case 6: out.appendIPv6(IPAddress(ipv6At: try r.bytes(16)))
            case 0: out.append(UInt8(ascii: "-"))
            default: throw RenderError.invalidIPVersion(v)
            }
        case .stringClass:
            StringSanitizer.append(try r.cString(), to: out)
        case .string:
            out.append(UInt8(ascii: "\""))
            StringSanitizer.append(try r.cString(), to: out)
            out.append(UInt8(ascii: "\""))
        case .compound(let sub, let repeating):
            out.append(UInt8(ascii: "("))
            let items = repeating ? Int(try r.u32()) : 1
            for item in 0..<items {
                if item > 0 { out.append(UInt8(ascii: ";")) }
                for (j, st) in sub.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: "_")) }
                    try value(st, &r, out)
                }
            }
            out.append(UInt8(ascii: ")"))
        }
    }
}

/// txtSink's UTF-8 sanitizer (formats.md §2.4, TFS_SAN_UTF8=1).
public enum StringSanitizer {
    public static func append(_ s: UnsafeRawBufferPointer, to out: TextBuffer) {
        let n = s.count
        var i = 0
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && s[k] & 0xc0 == 0x80 }
        while i < n {
            let b = s[i]
            if b < 0x80 {
                switch b {
                case 0x08: out.append("\\b")
                case 0x0c: out.append("\\f")
                case 0x0a: out.append("\\n")
                case 0x0d: out.append("\\r")
                case 0x09: out.append("\\t")
                case 0x0b: out.append("\\v")
                case 0x5c: out.append("\\\\")
                case 0x22: out.append("\\\"")
                case 0x00...0x1f, 0x7f:
                    out.append("\\u00")
                    let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
                    out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xf)])
                default: out.append(b)
                }
                i += 1
                continue
            }
            if b < 0xc2 || b > 0xf4 { out.append(UInt8(ascii: ".")); i += 1; continue }
            let len = b < 0xe0 ? 2 : (b < 0xf0 ? 3 : 4)
            // Second byte: must be a continuation; lead-specific ranges.
            guard cont(i + 1) else { out.append(UInt8(ascii: ".")); i += 1; continue }
            let b1 = s[i + 1]
            if (b == 0xe0 && b1 < 0xa0) || (b == 0xf0 && b1 < 0x90) || (b == 0xf4 && b1 >= 0x90) {
                out.append(UInt8(ascii: ".")); i += 2; continue
            }
            if len == 2 {
                out.append(b); out.append(b1); i += 2; continue
            }
            guard cont(i + 2) else { out.append(UInt8(ascii: ".")); i += 2; continue }
            if len == 3 {
                let cp = (UInt32(b & 0x0f) << 12) | (UInt32(b1 & 0x3f) << 6) | UInt32(s[i + 2] & 0x3f)
                if cp >= 0xd800 && cp <= 0xdfff { out.append(UInt8(ascii: ".")); i += 3; continue }
                out.append(b); out.append(b1); out.append(s[i + 2]); i += 3; continue
            }
            guard cont(i + 3) else { out.append(UInt8(ascii: ".")); i += 3; continue }
            out.append(b); out.append(b1); out.append(s[i + 2]); out.append(s[i + 3]); i += 4
        }
    }
}
