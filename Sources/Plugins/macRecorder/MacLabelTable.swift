// The vendor label table of macRecorder: T2's macEthlbl_HLP.bin, mapped read-only from
// the plugin folder, and T2's lookup on it (spec/plugins/macRecorder.md 4). The file is
// built from the IEEE registries by data/macRecorder/src/mconv.py; mapping it keeps
// start-up at a few system calls and only the pages the binary search touches resident.

#if canImport(Glibc)
import Glibc
#endif
import T2Core

struct MacRecorderError: Error, CustomStringConvertible {
    let description: String
}

struct MacLabelTable {
    /// Bytes per record: u64 key, u32 vec, u32 beF, then the NUL-terminated label of
    /// the mode, padded to 8 bytes as T2's struct is.
    static let labelLength: Int = {
        switch MacRecorderConfig.MR_MACLBL {
        case 3: return MacRecorderConfig.MAC_ORGLEN + 1
        case 2: return MacRecorderConfig.MAC_SORGLEN + 1
        default: return 0
        }
    }()
    static let recordSize = (16 + labelLength + 7) & ~7

    let base: UnsafeRawPointer
    let mappedLength: Int
    /// Records 1...count are the table; record 0 is the header.
    let count: Int

    /// Maps the table and checks its header. `warn` receives T2's short-file warning.
    init(path: String, fileName: String, warn: (String) -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw MacRecorderError(description: "Failed to open file '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { _ = Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 16 else {
            throw MacRecorderError(description: "Failed to read the header of '\(fileName)'")
        }
        let size = Int(st.st_size)
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw MacRecorderError(description: "Failed to map file '\(path)': \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
        mappedLength = size
        cacheKeys.initialize(repeating: 0, count: 1 << MacLabelTable.cacheBits)
        cacheValues.initialize(repeating: 0, count: 1 << MacLabelTable.cacheBits)
        let announced = Int(truncatingIfNeeded: base.le64(0))
        let mode = Int(base.le32(12))
        guard mode == MacRecorderConfig.MR_MACLBL else {
            munmap(p, size)
            throw MacRecorderError(description: "Mismatch! plugin \(MacRecorderConfig.MR_MACLBL) - '\(fileName)' \(mode), recompile: t2build -f macRecorder")
        }
        let found = max(0, size / MacLabelTable.recordSize - 1)
        if found < announced {
            warn("Expected \(announced) records from '\(fileName)', but found \(found)")
            count = found
        } else {
            count = announced
        }
    }

    /// A direct-mapped cache of recent lookups: key (mac << 16 | ethType) and result.
    /// Traffic has few distinct addresses (gateways, multicast), and the binary search
    /// over the 2.7 MB table misses the CPU caches on almost every probe. An empty slot
    /// (key 0, index 0) is a valid entry: the all-zero MAC has no label.
    static let cacheBits = 10
    let cacheKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << cacheBits)
    let cacheValues = UnsafeMutablePointer<Int32>.allocate(capacity: 1 << cacheBits)

    /// `lookup` through the cache.
    @inline(__always) func cachedLookup(_ mac: UInt64, ethType: UInt16) -> Int {
        let k = mac << 16 | UInt64(ethType)
        let slot = Int(truncatingIfNeeded: (k &* 0x9e37_79b9_7f4a_7c15) >> UInt64(64 - MacLabelTable.cacheBits))
        if cacheKeys[slot] == k { return Int(cacheValues[slot]) }
        let i = lookup(mac, ethType: ethType)
        cacheKeys[slot] = k
        cacheValues[slot] = Int32(truncatingIfNeeded: i)
        return i
    }

    /// Unmaps the table (in finalize); a plain value, so no reference counting in lookups.
    func close() {
        munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        cacheKeys.deallocate()
        cacheValues.deallocate()
    }

    @inline(__always) func key(_ i: Int) -> UInt64 { base.le64(i &* MacLabelTable.recordSize) }
    @inline(__always) func beF(_ i: Int) -> UInt32 { base.le32(i &* MacLabelTable.recordSize &+ 12) }

    /// The label of record `i` (up to its NUL).
    @inline(__always) func label(_ i: Int) -> UnsafeRawBufferPointer {
        let p = base + (i &* MacLabelTable.recordSize &+ 16)
        var n = 0
        while n < MacLabelTable.labelLength && p.load(fromByteOffset: n, as: UInt8.self) != 0 { n += 1 }
        return UnsafeRawBufferPointer(start: p, count: n)
    }

    /// T2's lookup: the record whose range holds `mac` (48-bit value, first byte most
    /// significant), 0 for none. Kept step by step as T2 has it, since its corner cases
    /// (no fallback to the enclosing OUI in gaps between sub-blocks, the EtherType-
    /// specific second search) decide the labels.
    func lookup(_ mac: UInt64, ethType: UInt16) -> Int {
        var m = mac << 16
        if m == 0 || count == 0 { return 0 }
        var lo = 1, hi = count
        var second = false
        var i = 0
        var k: UInt64 = 0
        while true {
            while lo <= hi {
                i = (lo + hi) >> 1
                k = key(i)
                if m < k { hi = i - 1 } else if m == k { return i } else { lo = i + 1 }
            }
            if second { return 0 }
            if beF(i) & 1 != 0 { return m <= k ? i : 0 }
            if i >= count { return 0 }
            let next = beF(i + 1)
            if m >= k && next & 1 != 0 { return i }
            guard k & 0xffff != 0 else { return 0 }
            // Cisco's EtherType-specific multicast entries: search again among the
            // records sharing this 48-bit part, now with the flow's EtherType.
            m |= UInt64(ethType)
            hi = Int(next >> 1)
            second = true
        }
    }
}
