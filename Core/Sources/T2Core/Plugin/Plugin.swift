// The plugin API: T2's callbacks (core.md 11.2) as overridable methods. A plugin is a
// subclass of T2Plugin in its own dynamic library, exported through one C entry point
// (see `T2Plugin.export`). Every callback has an empty default, so a plugin overrides
// only what it needs. docs/plugin-api.md walks through tcpWin as the example.

open class T2Plugin {
    /// The core's layout as the plugin was compiled (set by `export`, checked by the
    /// loader): a plugin built against another core would misread packets and flows.
    /// First stored property, so that its place does not depend on the core version.
    public final var compiledABI = 0

    public init() {}

    // MARK: Identity (checked at load)

    /// The plugin name as T2 prints it ("tcpWin").
    open var name: String { fatalError("a T2 plugin must override `name`") }
    /// The plugin version ("0.9.3").
    open var version: String { "0.9.3" }
    /// The core version the plugin was written for; only 0.9 is accepted.
    open var supportedT2Version: (major: Int, minor: Int) { (0, 9) }
    /// Plugins (by name) that must be loaded before this one (lower numbers).
    open var dependencies: [String] { [] }
    /// A sink receives every finished flow record (`bufferToSink`).
    open var isSink: Bool { false }

    // MARK: Output declaration

    /// The flow-file columns this plugin appends in `onFlowTerminate`, in order
    /// (t2PrintHeader).
    open var columns: [Column] { [] }
    /// Column names this plugin writes per packet in packet mode (`-s`), in order.
    open var packetColumns: [String] { [] }

    // MARK: Callbacks

    /// Start-up, after all plugins are loaded and the columns are known (t2Init).
    /// Allocate per-flow state here (`PerFlowStorage(capacity: t2.flows.capacity)`),
    /// register timeouts, open summary files. Throwing stops the analyzer.
    open func initialize(_ t2: Analyzer) throws {}

    /// A flow was created by `packet`; called before the layer callbacks of that packet.
    open func onNewFlow(_ packet: Packet, flowIndex: Int) {}

    /// Every packet that reached flow handling. For IP packets this runs before the
    /// flow is known, with `flowIndex == Analyzer.noFlow`; for packets of pure layer-2
    /// flows it runs with their flow index (and there is no `onLayer4`).
    open func onLayer2(_ packet: Packet, flowIndex: Int) {}

    /// Every IP packet assigned to a flow, after the flow's status and lastSeen were
    /// updated. In packet mode, write this plugin's packet columns here.
    open func onLayer4(_ packet: Packet, flowIndex: Int) {}

    /// The flow is written: append exactly the declared columns to `output`.
    open func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {}

    /// Sinks only: one finished flow record (called after every plugin's
    /// `onFlowTerminate`).
    open func bufferToSink(_ record: OutputBuffer) {}

    /// End report lines, between the dashed rulers.
    open func report(_ report: PluginReport) {}

    /// Monitoring report lines (SIGUSR1, -M).
    open func monitoring(_ report: PluginReport) {}

    /// After the end report: write summary files, release state.
    open func finalize() {}

    // MARK: Export

    /// Hands a plugin instance to the loader. Each plugin library defines:
    ///
    ///     @_cdecl("t2PluginCreate")
    ///     public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(TcpWin()) }
    @inlinable
    public static func export(_ plugin: T2Plugin) -> UnsafeMutableRawPointer {
        plugin.compiledABI = T2ABI.fingerprint
        return Unmanaged.passRetained(plugin).toOpaque()
    }
}

/// A plugin's view of the end report: every line is prefixed with the plugin name.
public final class PluginReport {
    let log: Log
    let name: String
    /// Total packets read (for percentages).
    public let numPackets: UInt64

    init(log: Log, name: String, numPackets: UInt64) {
        self.log = log; self.name = name; self.numPackets = numPackets
    }

    /// `name: text`
    public func line(_ text: String) { log.plugin(name, text) }

    /// `name: label: n (hr)`, printed only if n > 0.
    public func num(_ label: String, _ n: UInt64) {
        if n > 0 { line(ReportFormat.num(label, n)) }
    }

    /// `name: label: n (hr) [p%]` with p = 100·n/total, printed only if n > 0.
    public func nump(_ label: String, _ n: UInt64, of total: UInt64) {
        if n > 0 { line(ReportFormat.nump(label, n, of: total)) }
    }

    /// Human-readable suffix " (1.23 K)".
    public func hr(_ n: UInt64) -> String { ReportFormat.hr(n) }
}

/// A fingerprint of the types plugins use in place: evaluated in the plugin when it is
/// compiled (@inlinable) and again in the core when it is loaded. Struct sizes catch a
/// plugin built by plain `swift build` against an older core; the sources' hash, which
/// t2build regenerates, also catches changed class layouts (field offsets).
public enum T2ABI {
    @inlinable public static var fingerprint: Int {
        var h = Int(truncatingIfNeeded: CoreSourceFingerprint.value)
        for size in [MemoryLayout<PacketData>.size, MemoryLayout<Flow>.size, MemoryLayout<FlowKey>.size,
                     MemoryLayout<Timestamp>.size, MemoryLayout<HeaderDescription>.size, MemoryLayout<Counters>.size,
                     MemoryLayout<IPAddress>.size, MemoryLayout<PerFlowStorage<UInt8>>.size, 2 /* API revision */] {
            h = h &* 1_000_003 &+ size
        }
        return h
    }
}
