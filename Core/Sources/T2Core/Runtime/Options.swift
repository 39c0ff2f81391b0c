// The command line of `t2` (core.md 2). Parsed with glibc's getopt_long so that
// argument permutation and option clustering behave exactly as in T2.

#if canImport(Glibc)
import Glibc
#endif
import CPcap

public enum InputMode: Equatable {
    case file(String)
    case list(String)
    case regex(String)
    case interface(String)
}

public struct Options {
    public var input: InputMode?
    public var outputPrefix: String?
    /// -W PREFIX[:SIZE][,START]
    public var split: SplitSpec?
    public var logToFile = false
    public var monitoringToFile = false
    public var packetMode = false
    public var flowsToStdout = false
    public var snaplen = Int32(CoreConfig.SNAPLEN)
    public var bufferSize = Int32(CoreConfig.LIVEBUFSIZE)
    public var pluginFolder: String?
    public var pluginList: String?
    public var pcapdFile: String?
    public var hashFactor = CoreConfig.HASHFACTOR
    public var sensorID = UInt32(CoreConfig.T2_SENSORID)
    public var cpu: Int?
    public var priority: Int32?
    public var monitoringInterval = CoreConfig.MONINTV
    /// -M given: periodic monitoring reports from the start.
    public var periodicMonitoring = false
    public var bpfFile: String?
    public var bpf: String?
    public var arguments: [String] = []

    public init() {}
}

/// `-W` output splitting.
public struct SplitSpec: Equatable {
    public var prefix: String
    /// Bytes per fragment, or flows per fragment when `countsFlows`.
    public var size: Double
    public var countsFlows: Bool
    public var start: UInt64
}

public enum OptionsResult {
    case run(Options)
    /// Print to stdout and exit with the status (help, version).
    case exit(String, Int32)
    /// An error: message for [ERR], then the "Try" line, exit 1.
    case error(String)
}

public enum OptionParser {
    public static let version = "0.9.3"
    public static let codename = "Anteater"
    public static let release = "Cobra"

    public static let helpText = """
Tranalyzer 0.9.3 - High performance flow based network traffic analyzer

Usage:
    tranalyzer [OPTION...] <INPUT>

Input arguments:
    -i IFACE     Listen on interface IFACE
    -r PCAP      Read packets from PCAP file or from stdin if PCAP is "-"
    -R FILE      Process every PCAP file listed in FILE
    -D EXPR[:SCHR][,STOP]
                 Process every PCAP file whose name matches EXPR, up to an
                 optional last index STOP. If STOP is omitted, then Tranalyzer
                 never stops. EXPR can be a filename, e.g., file.pcap0, or an
                 expression, such as "dump*.pcap00", where the star matches
                 anything (note the quotes to prevent the shell from
                 interpreting the expression). SCHR can be used to specify
                 the last character before the index (default: 'p')

Output arguments:
    -w PREFIX    Append PREFIX to any output file produced. If the option is
                 omitted, derive PREFIX from the input. Use '-w -' to output
                 the flow file to stdout (other files will be saved as if the
                 '-w' option had been omitted and the '-l' and '-m' options used)
    -W PREFIX[:SIZE][,START]
                 Like -w, but fragment flow files according to SIZE, producing
                 files starting with index START. SIZE can be specified in bytes
                 (default), KB ('K'), MB ('M') or GB ('G'). Scientific notation,
                 i.e., 1e5 or 1E5 (=100000), can be used as well. If a 'f' is
                 appended, e.g., 10Kf, then SIZE denotes the number of flows.
    -l           Print end report in PREFIX_log.txt instead of stdout
    -m           Print monitoring output in PREFIX_monitoring.txt instead of stdout
    -s           Packet forensics mode

Interface capture arguments:
    -S SNAPLEN   Set the snapshot length (used with -i option)
    -B BUFSIZE   Set the live Rx buffer size (used with -i option)

Optional arguments:
    -p PATH      Load plugins from PATH instead of ~/.tranalyzer/plugins
    -b FILE      Use plugin list FILE instead of plugin_folder/plugins.txt
    -e FILE      Create a PCAP file by extracting all packets belonging to
                 flow indexes listed in FILE (require pcapd plugin)
    -f FACTOR    Set hash multiplication factor
    -x ID        Sensor ID
    -c CPU       Bind tranalyzer to one core. If CPU is 0 then OS selects the
                 core to bind
    -P PRIO      Set tranalyzer priority to PRIO (int) instead of 0
                 (PRIO [highest, lowest]: [-20, 20] (root), [0, 20] (user))
    -M FLT       Set monitoring interval to FLT seconds
    -F FILE      Read BPF filter from FILE

Help and documentation arguments:
    -V           Show the version of the program and exit
    -h           Show help options and exit

Remaining arguments:
    BPF          Berkeley Packet Filter command, as in tcpdump


"""

    static let longOptions: [(String, Int32, Character)] = [
        ("input-regex", 1, "D"), ("interface", 1, "i"), ("pcap", 1, "r"), ("pcap-list", 1, "R"),
        ("logfile", 0, "l"), ("monfile", 0, "m"), ("packets", 0, "s"), ("output-prefix", 1, "w"),
        ("output-regex", 1, "W"), ("plugin-list", 1, "b"), ("cpu", 1, "c"), ("pcapd", 1, "e"),
        ("hash-factor", 1, "f"), ("bpf-file", 1, "F"), ("plugin-folder", 1, "p"), ("sensor-id", 1, "x"),
        ("snaplen", 1, "S"), ("priority", 1, "P"), ("rx-bufsize", 1, "B"), ("mon-interval", 1, "M"),
        ("version", 0, "V"), ("help", 0, "h"),
    ]

    /// C `strtoul(s, NULL, 0)`: decimal, 0x hex, leading-0 octal.
    static func strtoulC(_ s: String) -> UInt64 { UInt64(strtoul(s, nil, 0)) }

    public static func parse(_ args: [String]) -> OptionsResult {
        if args.count <= 1 { return .exit(helpText, 1) }
        var o = Options()
        o.arguments = args
        var inputs = 0

        // Build argv and the long option table for getopt_long.
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        let names: [UnsafeMutablePointer<CChar>?] = longOptions.map { strdup($0.0) }
        defer { for p in names { free(p) } }
        var table: [option] = longOptions.enumerated().map { i, e in
            option(name: names[i], has_arg: e.1, flag: nil, val: Int32(e.2.asciiValue!))
        }
        table.append(option(name: nil, has_arg: 0, flag: nil, val: 0))
        optind = 0   // 0 makes GNU getopt reinitialise completely
        opterr = 0
        let shortOpts = ":D:i:r:R:lmsw:W:b:c:e:f:F:p:x:S:B:P:M:Vh"
        while true {
            let c = getopt_long(Int32(cargs.count - 1), &cargs, shortOpts, &table, nil)
            if c == -1 { break }
            let arg = optarg.map { String(cString: $0) } ?? ""
            switch UInt8(truncatingIfNeeded: c) {
            case UInt8(ascii: "D"):
                o.input = .regex(arg); inputs += 1
            case UInt8(ascii: "i"):
                o.input = .interface(arg); inputs += 1
            case UInt8(ascii: "r"):
                o.input = .file(arg); inputs += 1
            case UInt8(ascii: "R"):
                o.input = .list(arg); inputs += 1
            case UInt8(ascii: "l"): o.logToFile = true
            case UInt8(ascii: "m"): o.monitoringToFile = true
            case UInt8(ascii: "s"): o.packetMode = true
            case UInt8(ascii: "w"):
                if arg == "-" {
                    o.flowsToStdout = true; o.logToFile = true; o.monitoringToFile = true
                } else {
                    o.outputPrefix = arg
                }
            case UInt8(ascii: "W"):
                o.split = parseSplit(arg)
                o.outputPrefix = o.split!.prefix
            case UInt8(ascii: "b"): o.pluginList = arg
            case UInt8(ascii: "c"): o.cpu = Int(strtol(arg, nil, 0))
            case UInt8(ascii: "e"): o.pcapdFile = arg
            case UInt8(ascii: "f"):
                let f = strtoulC(arg)
                if f == 0 { return .error("Option '-f': Hash factor must be greater than 0") }
                o.hashFactor = Int(f)
            case UInt8(ascii: "F"): o.bpfFile = arg
            case UInt8(ascii: "p"): o.pluginFolder = arg.hasSuffix("/") ? arg : arg + "/"
            case UInt8(ascii: "x"): o.sensorID = UInt32(truncatingIfNeeded: strtoulC(arg))
            case UInt8(ascii: "S"):
                let v = atoi(arg)
                if v <= 0 { return .error("Option '-S': Snapshot length must be greater than 0") }
                o.snaplen = v
            case UInt8(ascii: "B"):
                let v = atoi(arg)
                if v <= 0 { return .error("Option '-B': Buffer size must be greater than 0") }
                o.bufferSize = v
            case UInt8(ascii: "P"):
                let v = atoi(arg)
                if getuid() == 0 {
                    if v < -20 || v > 20 { return .error("Priority MUST be between -20 and 20 (highest to lowest)") }
                } else {
                    if v < 0 { return .error("Only root can assign priority < 0") }
                    if v > 20 { return .error("Priority MUST be between 0 and 20 (highest to lowest)") }
                }
                o.priority = v
            case UInt8(ascii: "M"):
                let v = atof(arg)
                if v <= 0 { return .error("Option '-M': Monitoring interval must be greater than 0.0") }
                o.monitoringInterval = v
                o.periodicMonitoring = true
            case UInt8(ascii: "V"):
                return .exit("Tranalyzer \(version) (\(codename)) [\(release)]\n", 0)
            case UInt8(ascii: "h"):
                return .exit(helpText, 0)
            case UInt8(ascii: ":"):
                return .error("Option '\(optionText(optopt, cargs))' requires an argument")
            default:
                return .error("Unknown option '\(optionText(optopt, cargs))'")
            }
        }
        // Everything after the options is the BPF, unless -F was given.
        var rest: [String] = []
        var i = Int(optind)
        while i < cargs.count - 1 {
            rest.append(String(cString: cargs[i]!))
            i += 1
        }
        if o.bpfFile == nil && !rest.isEmpty { o.bpf = rest.joined(separator: " ") }

        if inputs == 0 { return .error("One of '-r', '-R', '-D' or '-i' option is required") }
        if inputs > 1 { return .error("'-r', '-R', '-D' and '-i' options can only be used exclusively") }
        if case .regex(let e) = o.input, !RegexInput.isValid(e) {
            return .error("Option '-D': Invalid format, expected 'expr[:schr][,stop]'")
        }
        return .run(o)
    }

    static func optionText(_ opt: Int32, _ cargs: [UnsafeMutablePointer<CChar>?]) -> String {
        if opt != 0 { return "-" + String(UnicodeScalar(UInt8(truncatingIfNeeded: opt))) }
        let i = Int(optind) - 1
        if i >= 0 && i < cargs.count - 1, let p = cargs[i] {
            let s = String(cString: p)
            return String(s.split(separator: "=", maxSplits: 1).first ?? Substring(s))
        }
        return "?"
    }

    /// `-W PREFIX[:SIZE][,START]` (core.md 2.3).
    static func parseSplit(_ arg: String) -> SplitSpec {
        var s = arg
        var start: UInt64 = 0
        if let comma = s.lastIndex(of: ",") {
            start = strtoulC(String(s[s.index(after: comma)...]))
            s = String(s[..<comma])
        }
        var size = 5e8
        var flows = false
        var prefix = s
        if let colon = s.lastIndex(of: ":") {
            var spec = String(s[s.index(after: colon)...])
            prefix = String(s[..<colon])
            if spec.hasSuffix("f") { flows = true; spec.removeLast() }
            var mult = 1.0
            if spec.hasSuffix("K") { mult = 1e3; spec.removeLast() }
            else if spec.hasSuffix("M") { mult = 1e6; spec.removeLast() }
            else if spec.hasSuffix("G") { mult = 1e9; spec.removeLast() }
            size = atof(spec) * mult
        }
        return SplitSpec(prefix: prefix, size: size, countsFlows: flows, start: start)
    }
}
