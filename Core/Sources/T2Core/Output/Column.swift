// Column descriptors (formats.md §1): what a plugin declares for each flow-file column
// and what sinks use to decode the binary record.

/// The value types of T2's output buffer (bin2txt type codes).
public enum ColumnType: Equatable {
    case i8, i16, i32, i64
    case u8, u16, u32, u64
    case h8, h16, h32, h64
    case float, double
    case char
    /// Quoted string (S).
    case string
    /// Flow direction (C, printed A/B).
    case direction
    case timestamp, duration
    case mac, ip4, ip6, ipx
    /// String printed without quotes (SC).
    case stringClass
    /// A nested compound value: its sub-types, and whether it repeats.
    indirect case compound([ColumnType], repeating: Bool)

    /// Name in the header file.
    public var name: String {
        switch self {
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .u8: return "U8"
        case .u16: return "U16"
        case .u32: return "U32"
        case .u64: return "U64"
        case .h8: return "H8"
        case .h16: return "H16"
        case .h32: return "H32"
        case .h64: return "H64"
        case .float: return "F"
        case .double: return "D"
        case .char, .direction: return "C"
        case .string: return "S"
        case .timestamp, .duration: return "U64.U32"
        case .mac: return "MAC"
        case .ip4: return "IP4"
        case .ip6: return "IP6"
        case .ipx: return "IPX"
        case .stringClass: return "SC"
        case .compound(let sub, let rep):
            return "(" + sub.map(\.name).joined(separator: "_") + (rep ? ":R" : "") + ")"
        }
    }
}

/// One flow-file column.
public struct Column {
    /// Short name (the column-name row).
    public let name: String
    /// Description (the header file).
    public let description: String
    /// One type, or several for a compound column (`a_b_c`).
    public let types: [ColumnType]
    /// The column holds 0..n items (`:R`).
    public let repeating: Bool

    public init(_ name: String, _ description: String, _ type: ColumnType, repeating: Bool = false) {
        self.name = name; self.description = description; self.types = [type]; self.repeating = repeating
    }

    public init(_ name: String, _ description: String, compound types: [ColumnType], repeating: Bool = false) {
        self.name = name; self.description = description; self.types = types; self.repeating = repeating
    }

    /// The type string of the header file, e.g. `MAC_MAC_U64:R`.
    public var typeString: String {
        types.map(\.name).joined(separator: "_") + (repeating ? ":R" : "")
    }
}
