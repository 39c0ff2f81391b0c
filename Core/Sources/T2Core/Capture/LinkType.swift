// DLT values the dissector knows (pcap/dlt.h). Descriptions and names for the report
// come from libpcap itself, so they read exactly as in T2.
import CPcap

public enum LinkType {
    public static let NULL: Int32 = 0
    public static let EN10MB: Int32 = 1
    public static let PPP: Int32 = 9
    public static let RAW: Int32 = 12
    public static let RAW_OPENBSD: Int32 = 14
    public static let PPP_SERIAL: Int32 = 50
    public static let RAW_101: Int32 = 101
    public static let C_HDLC: Int32 = 104
    public static let FRELAY: Int32 = 107
    public static let LOOP: Int32 = 108
    public static let LINUX_SLL: Int32 = 113
    public static let PPP_WITH_DIR: Int32 = 204
    public static let C_HDLC_WITH_DIR: Int32 = 205
    public static let FRELAY_WITH_DIR: Int32 = 206
    public static let IPV4: Int32 = 228
    public static let IPV6: Int32 = 229
    public static let ETHERNET_MPACKET: Int32 = 274
    public static let LINUX_SLL2: Int32 = 276

    /// "Ethernet [EN10MB/1]" as T2 logs it.
    public static func describe(_ dlt: Int32) -> String {
        let desc = pcap_datalink_val_to_description(dlt).map { String(cString: $0) } ?? "Unknown"
        let name = pcap_datalink_val_to_name(dlt).map { String(cString: $0) } ?? "UNKNOWN"
        return "\(desc) [\(name)/\(dlt)]"
    }
}
