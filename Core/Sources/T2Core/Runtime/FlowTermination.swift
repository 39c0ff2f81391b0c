// Writing and removing flows (core.md 6.4, 6.7, 6.8): A before B, the single-flow
// reply correction, the autopilot for a full table, and the final flush from the
// least recently used end of the LRU list.

#if canImport(Glibc)
import Glibc
#endif

extension Analyzer {
    /// Writes flow `f` together with its opposite, then removes both.
    func terminate(_ f: Int) {
        let o = Int(flows.flows[f].oppositeIndex)
        if o < 0 {
            writeFlow(f, direction: 0)
            if flows.flows[f].isB { counters.corrReplFlows += 1 }
        } else if flows.flows[f].isB {
            writeFlow(o, direction: 0)
            writeFlow(f, direction: 1)
        } else {
            writeFlow(f, direction: 0)
            writeFlow(o, direction: 1)
        }
        removeFlow(f)
        if o >= 0 { removeFlow(o) }
    }

    func writeFlow(_ fi: Int, direction: UInt8) {
        output.reset()
        output.appendU8(direction)
        output.appendU64(flows.flows[fi].findex)
        hot.forEach { $0.onFlowTerminate(flowIndex: fi, output: output) }
        hotSinks.forEach { $0.bufferToSink(output) }
    }

    func removeFlow(_ fi: Int) {
        let f = flows.flows + fi
        if f.pointee.status & FlowStat.IPV4_FRAG_PENDING != 0 {
            flows.aggregatedStatus |= FlowStat.IPV4_FRAG_PENDING
            let k = FragmentKey(src: f.pointee.key.srcIP, dst: f.pointee.key.dstIP, ethType: f.pointee.key.ethType,
                                vlanID: f.pointee.key.vlanID, ipID: f.pointee.fragID, proto: f.pointee.key.proto)
            if fragments[k] == Int32(fi) { fragments[k] = nil }
        }
        f.pointee.oppositeIndex = -1
        flows.remove(fi)
    }

    /// The table is full: flush the least recently used flow (and its opposite).
    func autopilot() {
        if !autopilotWarned {
            autopilotWarned = true
            log.warning("Hash Autopilot: main HashMap full: flushing 1 oldest flow(s)")
            let denom = 24 + counters.bytesProcessed + 16 * counters.numPackets
            var f = denom > 0 ? Int(counters.captureFileSize / denom) : 2
            f = min(max(f, 2), 16)
            log.info("Hash Autopilot: Fix: Invoke Tranalyzer with '-f \(options.hashFactor * f)'")
        }
        let victim = flows.leastRecentlyUsed()
        guard victim >= 0 else { return }
        flows.flows[victim].status |= FlowStat.RMFLOW_HFULL
        flows.aggregatedStatus |= FlowStat.RMFLOW_HFULL
        counters.autopilotFlows += 1
        terminate(victim)
    }

    /// Writes every remaining flow, least recently used pair first.
    func flushAll() {
        while true {
            if Signals.abortFlush { return }
            let f = flows.leastRecentlyUsed()
            if f < 0 { return }
            terminate(f)
        }
    }

    /// End of input: Dump stop, the remaining flows, the report, finalize.
    func finish() {
        monitoring?.finish()
        log.flush()
        let stop = firstPacket ? Timestamp.zero : actTime
        log.line("Dump stop : \(ReportFormat.packetDate(stop))")
        let duration: Timestamp
        if firstPacket {
            duration = .zero
        } else {
            duration = actTime.minus(startTimestamp)
        }
        log.line("Total dump duration: \(ReportFormat.duration(duration))")
        log.line("Finished processing. Elapsed time: \(ReportFormat.duration(elapsedWallClock()))")
        flushAll()
        log.line("Finished unloading flow memory. Time: \(ReportFormat.duration(elapsedWallClock()))")
        EndReport(analyzer: self, duration: duration).print()
        log.flush()
        if packetMode {
            packetLine.flush()
        }
        for plugin in plugins { plugin.finalize() }
        if packetsFD >= 0 { packetLine.flush(); close(packetsFD) }
        log.flush()
    }

    func elapsedWallClock() -> Timestamp {
        var tv = timeval()
        gettimeofday(&tv, nil)
        let now = Timestamp(sec: UInt64(tv.tv_sec), ns: UInt32(tv.tv_usec) * 1000)
        let start = Timestamp(sec: UInt64(startWallClock.tv_sec), ns: UInt32(startWallClock.tv_usec) * 1000)
        return now.minus(start)
    }
}
