// A plugin's support file (portmap.txt, proto.txt, ...) read whole into memory, for
// plugins that parse it with byte-level scanners at start-up.

#if canImport(Glibc)
import Glibc
#endif

public final class SupportFile {
    /// The file's bytes (as many as could be read).
    public let bytes: UnsafeRawBufferPointer
    private let storage: UnsafeMutableRawBufferPointer

    /// nil if the file cannot be opened; errno then tells why.
    public init?(path: String) {
        let fd = open(path, O_RDONLY)
        if fd < 0 { return nil }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { return nil }
        let size = Int(st.st_size)
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 1)
        var got = 0
        while got < size {
            let r = read(fd, buf.baseAddress! + got, size - got)
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { break }
            got += r
        }
        storage = buf
        bytes = UnsafeRawBufferPointer(rebasing: buf[0..<got])
    }

    deinit { storage.deallocate() }
}
