// bin2txt: one binary flow record rendered as a text line (formats.md §2), driven by
// the column descriptors. Used by txtSink; kept in the core for other text sinks.

public enum RenderError: Error {
    /// The record is shorter than its columns declare.
    case bufferOverflow(Int)
    case invalidIPVersion(UInt8)
}

public struct TextRenderer {
    let columns: [Column]
    /// The columns flattened into plain values, so that rendering a record touches no
    /// reference-counted data (Column holds Strings and arrays).
    struct Step {
        var firstOp: Int32
        var opCount: Int32
        var repeating: Bool
    }
    let steps: [Step]
    /// One code per sub-value (ColumnType's position in `Op`), or `Op.compound` with the
    /// type in `nested`.
    let ops: [UInt8]
    let nested: [Int: ColumnType]

    enum Op {
        static let u8: UInt8 = 0, u16: UInt8 = 1, u32: UInt8 = 2, u64: UInt8 = 3
        static let i8: UInt8 = 4, i16: UInt8 = 5, i32: UInt8 = 6, i64: UInt8 = 7
        static let h8: UInt8 = 8, h16: UInt8 = 9, h32: UInt8 = 10, h64: UInt8 = 11
        static let float: UInt8 = 12, double: UInt8 = 13, char: UInt8 = 14, direction: UInt8 = 15
        static let time: UInt8 = 16, mac: UInt8 = 17, ip4: UInt8 = 18, ip6: UInt8 = 19, ipx: UInt8 = 20
        static let sc: UInt8 = 21, s: UInt8 = 22, compound: UInt8 = 23
    }

    static func code(_ t: ColumnType) -> UInt8 {
        switch t {
        case .u8: return Op.u8
        case .u16: return Op.u16
        case .u32: return Op.u32
        case .u64: return Op.u64
        case .i8: return Op.i8
        case .i16: return Op.i16
        case .i32: return Op.i32
        case .i64: return Op.i64
        case .h8: return Op.h8
        case .h16: return Op.h16
        case .h32: return Op.h32
        case .h64: return Op.h64
        case .float: return Op.float
        case .double: return Op.double
        case .char: return Op.char
        case .direction: return Op.direction
        case .timestamp, .duration: return Op.time
        case .mac: return Op.mac
        case .ip4: return Op.ip4
        case .ip6: return Op.ip6
        case .ipx: return Op.ipx
        case .stringClass: return Op.sc
        case .string: return Op.s
        case .compound: return Op.compound
        }
    }

    public init(columns: [Column]) {
        self.columns = columns
        var steps: [Step] = []
        var ops: [UInt8] = []
        var nested: [Int: ColumnType] = [:]
        for c in columns {
            steps.append(Step(firstOp: Int32(ops.count), opCount: Int32(c.types.count), repeating: c.repeating))
            for t in c.types {
                if case .compound = t { nested[ops.count] = t }
                ops.append(TextRenderer.code(t))
            }
        }
        self.steps = steps
        self.ops = ops
        self.nested = nested
    }

    /// Appends the record as TAB-separated values and a newline.
    public func render(_ record: UnsafeRawBufferPointer, into out: TextBuffer) throws {
        var r = Reader(base: record.baseAddress!, count: record.count)
        try steps.withUnsafeBufferPointer { steps in
            try ops.withUnsafeBufferPointer { ops in
                for i in 0..<steps.count {
                    let step = steps[i]
                    if i > 0 { out.tab() }
                    let items = step.repeating ? Int(try r.u32()) : 1
                    let first = Int(step.firstOp), n = Int(step.opCount)
                    for item in 0..<items {
                        if item > 0 { out.append(UInt8(ascii: ";")) }
                        for j in 0..<n {
                            if j > 0 { out.append(UInt8(ascii: "_")) }
                            let op = ops[first + j]
                            if op == Op.compound {
                                try value(nested[first + j]!, &r, out)
                            } else {
                                try value(code: op, &r, out)
                            }
                        }
                    }
                }
            }
        }
        out.newline()
    }

    struct Reader {
        let base: UnsafeRawPointer
        let count: Int
        var pos = 0

        @inline(__always) mutating func need(_ n: Int) throws {
            if pos + n > count { throw RenderError.bufferOverflow(pos + n) }
        }
        @inline(__always) mutating func u8() throws -> UInt8 { try need(1); defer { pos += 1 }; return base.u8(pos) }
        @inline(__always) mutating func u16() throws -> UInt16 { try need(2); defer { pos += 2 }; return base.le16(pos) }
        @inline(__always) mutating func u32() throws -> UInt32 { try need(4); defer { pos += 4 }; return base.le32(pos) }
        @inline(__always) mutating func u64() throws -> UInt64 { try need(8); defer { pos += 8 }; return base.le64(pos) }
        @inline(__always) mutating func bytes(_ n: Int) throws -> UnsafeRawPointer { try need(n); defer { pos += n }; return base + pos }
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

    @inline(__always)
    func value(code: UInt8, _ r: inout Reader, _ out: TextBuffer) throws {
        switch code {
        case Op.u8: out.appendDecimal(UInt64(try r.u8()))
        case Op.u16: out.appendDecimal(UInt64(try r.u16()))
        case Op.u32: out.appendDecimal(UInt64(try r.u32()))
        case Op.u64: out.appendDecimal(try r.u64())
        case Op.i8: out.appendDecimal(Int64(Int8(bitPattern: try r.u8())))
        case Op.i16: out.appendDecimal(Int64(Int16(bitPattern: try r.u16())))
        case Op.i32: out.appendDecimal(Int64(Int32(bitPattern: try r.u32())))
        case Op.i64: out.appendDecimal(Int64(bitPattern: try r.u64()))
        case Op.h8: out.appendHex(UInt64(try r.u8()), digits: 2)
        case Op.h16: out.appendHex(UInt64(try r.u16()), digits: 4)
        case Op.h32: out.appendHex(UInt64(try r.u32()), digits: 8)
        case Op.h64: out.appendHex(try r.u64(), digits: 16)
        case Op.float: out.appendFloatG(Float(bitPattern: try r.u32()))
        case Op.double: out.appendDoubleF(Double(bitPattern: try r.u64()))
        case Op.char: out.append(try r.u8())
        case Op.direction: out.append(try r.u8() == 0 ? UInt8(ascii: "A") : UInt8(ascii: "B"))
        case Op.time:
            let sec = try r.u64()
            let ns = try r.u32()
            out.appendDecimal(sec)
            out.append(UInt8(ascii: "."))
            out.appendZeroPadded(UInt64(ns), width: 9)
        case Op.mac:
            out.appendMAC(MACAddress(at: try r.bytes(6)))
        case Op.ip4:
            out.appendIPv4(IPAddress(ipv4At: try r.bytes(4)))
        case Op.ip6:
            out.appendIPv6(IPAddress(ipv6At: try r.bytes(16)))
        case Op.ipx:
            let v = try r.u8()
            switch v {
            case 4: out.appendIPv4(IPAddress(ipv4At: try r.bytes(4)))
            case 6: out.appendIPv6(IPAddress(ipv6At: try r.bytes(16)))
            case 0: out.append(UInt8(ascii: "-"))
            default: throw RenderError.invalidIPVersion(v)
            }
        case Op.sc:
            StringSanitizer.append(try r.cString(), to: out)
        default:   // Op.s
            out.append(UInt8(ascii: "\""))
            StringSanitizer.append(try r.cString(), to: out)
            out.append(UInt8(ascii: "\""))
        }
    }

    /// Nested compound sub-values (rare): rendered from the type itself.
    func value(_ t: ColumnType, _ r: inout Reader, _ out: TextBuffer) throws {
        guard case .compound(let sub, let repeating) = t else {
            try value(code: TextRenderer.code(t), &r, out)
            return
        }
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

/// txtSink's UTF-8 sanitizer (formats.md §2.4, TFS_SAN_UTF8=1).
public enum StringSanitizer {
    public static func append(_ s: UnsafeRawBufferPointer, to out: TextBuffer) {
        let n = s.count
        var i = 0
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && s[k] & 0xc0 == 0x80 }
        while i < n {
            let b = s[i]
            if b >= 0x20 && b < 0x7f && b != 0x5c && b != 0x22 {
                out.append(b)
                i += 1
                continue
            }
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
