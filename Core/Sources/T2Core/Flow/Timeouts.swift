// T2's flow timeouts (core.md 6.5, 6.6). Every distinct timeout value has a handler
// with a sentinel inside the LRU list; before each packet every handler walks from its
// sentinel towards the front and retires flows idle for at least their own timeout.
// The walk order decides the order in which flows are written, so it is reproduced
// exactly, down to the 32-bit float idle time.

struct TimeoutHandler {
    let timeout: Float
    var sentinel: Int32
}

extension Timestamp {
    /// Idle time as T2 computes it: a float of the seconds difference, then the
    /// nanoseconds added in double and rounded to float again.
    @inline(__always)
    func idleFloat(since last: Timestamp) -> Float {
        let ds = Float(Int64(bitPattern: sec &- last.sec))
        return Float(Double(ds) + Double(Int64(ns) - Int64(last.ns)) / 1e9)
    }
}

final class TimeoutList {
    /// Sorted by decreasing timeout.
    private(set) var handlers: [TimeoutHandler] = []
    unowned(unsafe) let table: FlowTable

    init(table: FlowTable) { self.table = table }

    /// Registers a timeout value (duplicates are merged).
    func register(_ t: Float) {
        if handlers.contains(where: { $0.timeout == t }) { return }
        let s = table.addSentinel()
        handlers.append(TimeoutHandler(timeout: t, sentinel: s))
        // stable: equal values cannot occur, so a plain sort by decreasing timeout is enough
        handlers.sort { $0.timeout > $1.timeout }
    }

    /// Retires every flow (pair) idle for at least its timeout at time `now`.
    /// `terminate` writes and removes a flow together with its opposite.
    @inline(__always)
    func scan(now: Timestamp, terminate: (Int) -> Void) {
        let flows = table.flows
        let head = table.head
        for hi in 0..<handlers.count {
            let h = handlers[hi]
            var e = flows[Int(h.sentinel)].lruPrev
            if e == head { continue }
            var passed = false
            var stopAt = head
            while e != head {
                if table.isSentinel(e) {
                    e = flows[Int(e)].lruPrev
                    continue
                }
                let f = Int(e)
                // Whole seconds decide most cases without the float arithmetic.
                let ds = Int64(bitPattern: now.sec &- flows[f].lastSeen.sec)
                if ds < Int64(h.timeout) - 2 { stopAt = e; break }
                let d = now.idleFloat(since: flows[f].lastSeen)
                if d < h.timeout { stopAt = e; break }
                passed = true
                let prev = flows[f].lruPrev
                if d >= flows[f].timeout {
                    let o = Int(flows[f].oppositeIndex)
                    if o < 0 {
                        terminate(f)
                        e = prev
                        continue
                    }
                    let dO = now.idleFloat(since: flows[o].lastSeen)
                    if dO >= flows[o].timeout {
                        let next = prev == Int32(o) ? flows[o].lruPrev : prev
                        terminate(f)
                        e = next
                        continue
                    }
                }
                e = prev
            }
            if passed {
                table.lruUnlink(h.sentinel)
                table.lruInsert(h.sentinel, behind: stopAt)
            }
        }
    }
}
