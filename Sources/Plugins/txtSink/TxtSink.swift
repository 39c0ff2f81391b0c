// txtSink writes every finished flow as one TAB-separated text line to PREFIX_flows.txt
// (after a '%' column-name row), and the column descriptions to PREFIX_headers.txt.
// With -W it splits the flow file by size or flow count. It measures nothing itself:
// it is the sink that renders the other plugins' columns. See spec/txtSink.md.
// Rendering runs on a second thread (TFS_THREADED) because it is a third of the
// default set's time; records reach it in order, so the file does not change.

import T2Core
#if canImport(Glibc)
import Glibc
#endif

final class TxtSink: T2Plugin {
    override var name: String { "txtSink" }
    override var isSink: Bool { true }

    unowned(unsafe) var t2: Analyzer!
    var renderer: TextRenderer!
    var out: TextBuffer!
    var flowsSuffix = TxtSinkConfig.TFS_FLOWS_TXT_SUFFIX
    var split: SplitSpec?
    var fragment: UInt64 = 0
    var flowsInFragment = 0
    var pipeline: RecordPipeline?

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        renderer = TextRenderer(columns: t2.columns)
        if let env = getenv("TFS_FLOWS_TXT_SUFFIX") { flowsSuffix = String(cString: env) }
        var headerSuffix = TxtSinkConfig.TFS_HEADER_SUFFIX
        if let env = getenv("TFS_HEADER_SUFFIX") { headerSuffix = String(cString: env) }

        if t2.flowsToStdout {
            out = TextBuffer(fd: 1, capacity: 1 << 16)
        } else {
            split = TxtSinkConfig.TFS_SPLIT ? t2.options.split : nil
            fragment = split?.start ?? 0
            guard let f = openFlowFile() else { throw T2Error("cannot open the flow file") }
            out = f
        }
        var threaded = TxtSinkConfig.TFS_THREADED
        if let env = getenv("TFS_THREADED") { threaded = String(cString: env) != "0" }
        // Flows on stdout stay on the packet thread: they share stdout with the reports.
        if threaded && !t2.flowsToStdout {
            // The renderer is captured once: reading the stored property per record
            // would retain and release its arrays every time.
            let renderer = self.renderer!
            pipeline = RecordPipeline { [unowned(unsafe) self] record in self.write(record, renderer) }
        }
        if TxtSinkConfig.TFS_PRI_HDR {
            out.append(UInt8(ascii: "%"))
            out.append(t2.columns.map(\.name).joined(separator: "\t"))
            out.newline()
            afterFlow()
        }
        if TxtSinkConfig.TFS_HDR_FILE, let h = t2.openOutputFile(suffix: headerSuffix, plugin: name) {
            h.append(t2.headersFileText())
            t2.closeOutputFile(h)
        }
    }

    func openFlowFile() -> TextBuffer? {
        let suffix = split != nil ? flowsSuffix + String(fragment) : flowsSuffix
        return t2.openOutputFile(suffix: suffix, plugin: name)
    }

    override func bufferToSink(_ record: OutputBuffer) {
        if let p = pipeline { p.submit(record.bytes) } else { write(record.bytes, renderer) }
    }

    /// Renders one record into the flow file (on the pipeline's thread when threaded).
    func write(_ record: UnsafeRawBufferPointer, _ renderer: TextRenderer) {
        do {
            try renderer.render(record, into: out)
        } catch RenderError.bufferOverflow(let n) {
            t2.log.error("bin2txt: Buffer overflow: \(n) increase MAIN_OUTBUF_SIZE in tranalyzer.h")
            exit(1)
        } catch RenderError.invalidIPVersion(let v) {
            t2.log.error("Invalid IP version \(v)")
            exit(1)
        } catch {
            exit(1)
        }
        flowsInFragment += 1
        afterFlow()
    }

    /// -W: after each flow, start the next fragment once the current one is full.
    func afterFlow() {
        guard let s = split else {
            out.flushIfNeeded()
            return
        }
        let full = s.countsFlows ? Double(flowsInFragment) >= s.size : Double(out.size) >= s.size
        if full && flowsInFragment > 0 {
            t2.closeOutputFile(out)
            fragment += 1
            flowsInFragment = 0
            if let f = openFlowFile() { out = f }
        } else {
            out.flushIfNeeded()
        }
    }

    override func finalize() {
        pipeline?.finish()
        if t2.flowsToStdout { out.flush() } else { t2.closeOutputFile(out) }
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(TxtSink()) }
