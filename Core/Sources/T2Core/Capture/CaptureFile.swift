// Checking a capture file before libpcap sees it (core.md 3.1), and opening gzip
// captures, which T2 rejects but we read through zlib (docs/deviations.md).

#if canImport(Glibc)
import Glibc
#endif
import CPcap
import CT2Support

public enum CaptureFileKind {
    case pcap
    case pcapng
    case gzip
}

public enum CaptureFileCheck {
    case ok(CaptureFileKind, size: UInt64)
    case error(String)
}

public enum CaptureFile {
    /// T2's validation of a capture file: readable, not empty, a pcap or pcapng magic.
    /// gzip files are accepted here and decompressed when opened.
    public static func check(_ path: String) -> CaptureFileCheck {
        guard let f = fopen(path, "rb") else {
            return .error("Failed to open file '\(path)' for reading: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        var st = stat()
        if fstat(fileno(f), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            return .error("Failed to open file '\(path)' for reading: \(String(cString: strerror(EISDIR)))")
        }
        let size = UInt64(max(0, st.st_size))
        if size == 0 { return .error("PCAP file '\(path)' is empty") }
        var words: (UInt32, UInt32, UInt32) = (0, 0, 0)
        let n = withUnsafeMutableBytes(of: &words) { fread($0.baseAddress, 1, 12, f) }
        let bytes = withUnsafeBytes(of: words) { Array($0) }
        if n >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b {
            return .ok(.gzip, size: size)
        }
        guard n == 12 else { return .error("File '\(path)' is not a valid PCAP/PCAP-NG file") }
        let w0 = UInt32(littleEndian: words.0), w2 = UInt32(littleEndian: words.2)
        if w0 == 0x0a0d_0d0a {
            if w2 == 0x1a2b_3c4d || w2 == 0x4d3c_2b1a { return .ok(.pcapng, size: size) }
            return .error("File '\(path)' is not a valid PCAP/PCAP-NG file")
        }
        switch w0 {
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1:
            return .ok(.pcap, size: size)
        default:
            return .error("File '\(path)' is not a valid PCAP/PCAP-NG file")
        }
    }

    /// Uncompressed size of a gzip file (its ISIZE trailer, modulo 2^32).
    public static func gzipUncompressedSize(_ path: String) -> UInt64? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        guard fseek(f, -4, SEEK_END) == 0 else { return nil }
        var v: UInt32 = 0
        guard fread(&v, 4, 1, f) == 1 else { return nil }
        return UInt64(UInt32(littleEndian: v))
    }

    /// A FILE* that yields the decompressed bytes of a gzip file (for pcap_fopen_offline).
    public static func openGzip(_ path: String) -> UnsafeMutablePointer<FILE>? {
        t2_gzip_fopen(path)
    }

    /// Whether the decompressed stream of a gzip file starts like a capture.
    public static func gzipContainsCapture(_ path: String) -> Bool {
        guard let gz = gzopen(path, "rb") else { return false }
        defer { gzclose(gz) }
        var w: UInt32 = 0
        guard gzread(gz, &w, 4) == 4 else { return false }
        switch UInt32(littleEndian: w) {
        case 0xa1b2_c3d4, 0xd4c3_b2a1, 0xa1b2_3c4d, 0x4d3c_b2a1, 0x0a0d_0d0a: return true
        default: return false
        }
    }
}
