// The flow table: an open-addressing hash table (linear probing, backward-shift
// deletion) over flat flow records. A flow's record index is its flowIndex; records are
// handed out densely from a LIFO free list, so plugin state indexed by flowIndex stays
// compact in memory. Records also carry the LRU list links used by the timeout scan.
// The capacity is T2's (HASHCHAINTABLE_BASE_SIZE × -f); the bucket array grows with the
// number of flows, up to T2's size, so that it stays in cache while few flows are alive.

#if canImport(Glibc)
import Glibc
#endif

public final class FlowTable {
    /// Maximum number of flows in memory (HASHCHAINTABLE_BASE_SIZE × hash factor).
    public let capacity: Int
    /// Number of hash buckets now (a power of two, load at most 1/2).
    public private(set) var bucketCount: Int
    /// The most buckets the table grows to (T2's HASHTABLE_BASE_SIZE × hash factor,
    /// rounded up to a power of two).
    public let maxBucketCount: Int
    var bucketMask: Int
    /// Flows currently in memory.
    public private(set) var count = 0

    @usableFromInline let flows: UnsafeMutablePointer<Flow>
    /// Bucket → flowIndex + 1 (0 = empty).
    var buckets: UnsafeMutablePointer<UInt32>
    /// Freed flow indices (LIFO); indices never used yet come from `highWater`.
    let freeList: UnsafeMutablePointer<Int32>
    var freeCount = 0
    var highWater = 0

    /// Index of the LRU list head node; sentinels follow it.
    let head: Int32
    static let maxSentinels = 32
    var sentinelCount = 0

    /// The global flowStat aggregate the core reports ("Aggregated flowStat").
    public var aggregatedStatus: UInt64 = 0

    init(hashFactor: Int) {
        capacity = CoreConfig.HASHCHAINTABLE_BASE_SIZE * hashFactor
        var maxBuckets = 1024
        while maxBuckets < max(CoreConfig.HASHTABLE_BASE_SIZE, 2 * CoreConfig.HASHCHAINTABLE_BASE_SIZE) * hashFactor {
            maxBuckets *= 2
        }
        maxBucketCount = maxBuckets
        bucketCount = min(4096, maxBuckets)
        bucketMask = bucketCount - 1
        let records = capacity + 1 + FlowTable.maxSentinels
        // calloc: pages are only touched when a flow index is first used.
        flows = calloc(records, MemoryLayout<Flow>.stride)!.bindMemory(to: Flow.self, capacity: records)
        buckets = calloc(bucketCount, MemoryLayout<UInt32>.stride)!.bindMemory(to: UInt32.self, capacity: bucketCount)
        freeList = calloc(capacity, MemoryLayout<Int32>.stride)!.bindMemory(to: Int32.self, capacity: capacity)
        head = Int32(capacity)
        flows[Int(head)].lruPrev = head
        flows[Int(head)].lruNext = head
    }

    deinit {
        free(flows); free(buckets); free(freeList)
    }

    // MARK: Access for plugins

    /// The flow with this index (valid between its creation and its termination).
    @inlinable public subscript(flowIndex: Int) -> Flow {
        unsafeAddress { UnsafePointer(flows + flowIndex) }
    }

    /// ORs bits into the flow's status and into the global aggregate (T2's
    /// `T2_SET_STATUS`).
    @inlinable public func setStatus(_ bits: UInt64, flowIndex: Int) {
        flows[flowIndex].status |= bits
        aggregatedStatus |= bits
    }

    /// ORs bits into the flow's status only (not reported in the aggregate).
    @inlinable public func setFlowOnlyStatus(_ bits: UInt64, flowIndex: Int) {
        flows[flowIndex].status |= bits
    }

    /// Flips the Inverted (B) bit of a flow, as icmpDecode's direction correction does.
    @inlinable public func toggleInverted(flowIndex: Int) {
        flows[flowIndex].status ^= FlowStat.L3FLOWINVERT
    }

    /// Sets a flow's idle timeout. The value must have been registered with
    /// `registerTimeout` at init, or the flow would never be visited at that timeout.
    public func setTimeout(_ seconds: Float, flowIndex: Int) {
        flows[flowIndex].timeout = seconds
    }

    // MARK: Lookup

    @inline(__always) func home(_ h: UInt32) -> Int {
        Int(h) & bucketMask
    }

    /// Doubles the bucket array and re-inserts every flow.
    func grow() {
        let old = buckets, oldCount = bucketCount
        bucketCount *= 2
        bucketMask = bucketCount - 1
        buckets = calloc(bucketCount, MemoryLayout<UInt32>.stride)!.bindMemory(to: UInt32.self, capacity: bucketCount)
        for i in 0..<oldCount where old[i] != 0 {
            var b = home(flows[Int(old[i] &- 1)].hash)
            while buckets[b] != 0 { b = (b + 1) & bucketMask }
            buckets[b] = old[i]
        }
        free(old)
    }

    /// The flowIndex of `key`, or -1.
    @inline(__always)
    func lookup(_ key: FlowKey, hash h: UInt32) -> Int {
        var b = home(h)
        while true {
            let e = buckets[b]
            if e == 0 { return -1 }
            let i = Int(e &- 1)
            if flows[i].hash == h && flows[i].key == key { return i }
            b += 1
            if b == bucketCount { b = 0 }
        }
    }

    var isFull: Bool { count >= capacity }

    /// Inserts a new flow record (the caller checked that the key is absent and the
    /// table is not full) and puts it at the LRU front.
    func insert(_ key: FlowKey, hash h: UInt32) -> Int {
        let i: Int
        if freeCount > 0 {
            freeCount -= 1
            i = Int(freeList[freeCount])
        } else {
            i = highWater
            highWater += 1
        }
        count += 1
        if 2 * count > bucketCount && bucketCount < maxBucketCount { grow() }
        var b = home(h)
        while buckets[b] != 0 {
            b += 1
            if b == bucketCount { b = 0 }
        }
        buckets[b] = UInt32(i + 1)
        flows[i].key = key
        flows[i].hash = h
        lruPushFront(Int32(i))
        return i
    }

    /// Removes a flow from the hash table and the LRU list and frees its index.
    func remove(_ i: Int) {
        let h = flows[i].hash
        var b = home(h)
        while buckets[b] != UInt32(i + 1) {
            b += 1
            if b == bucketCount { b = 0 }
        }
        // Backward-shift deletion keeps every probe sequence intact without tombstones.
        var hole = b
        var j = b
        while true {
            j += 1
            if j == bucketCount { j = 0 }
            let e = buckets[j]
            if e == 0 { break }
            let k = home(flows[Int(e &- 1)].hash)
            let movable = hole <= j ? (k <= hole || k > j) : (k <= hole && k > j)
            if movable {
                buckets[hole] = e
                hole = j
            }
        }
        buckets[hole] = 0
        lruUnlink(Int32(i))
        freeList[freeCount] = Int32(i)
        freeCount += 1
        count -= 1
    }

    // MARK: LRU list (front = most recently used; `lruNext` points towards the back)

    @inline(__always) func lruUnlink(_ i: Int32) {
        let p = flows[Int(i)].lruPrev, n = flows[Int(i)].lruNext
        flows[Int(p)].lruNext = n
        flows[Int(n)].lruPrev = p
    }

    /// Inserts `i` right behind `anchor` (towards the back).
    @inline(__always) func lruInsert(_ i: Int32, behind anchor: Int32) {
        let n = flows[Int(anchor)].lruNext
        flows[Int(i)].lruPrev = anchor
        flows[Int(i)].lruNext = n
        flows[Int(anchor)].lruNext = i
        flows[Int(n)].lruPrev = i
    }

    @inline(__always) func lruPushFront(_ i: Int32) { lruInsert(i, behind: head) }

    /// Moves a flow to the front (it just saw a packet).
    @inline(__always) func touch(_ i: Int) {
        let i32 = Int32(i)
        if flows[Int(head)].lruNext == i32 { return }
        lruUnlink(i32)
        lruPushFront(i32)
    }

    @inline(__always) func isSentinel(_ i: Int32) -> Bool { Int(i) > capacity }

    /// A new sentinel at the back of the list.
    func addSentinel() -> Int32 {
        precondition(sentinelCount < FlowTable.maxSentinels, "too many distinct flow timeouts")
        sentinelCount += 1
        let s = head + Int32(sentinelCount)
        lruInsert(s, behind: flows[Int(head)].lruPrev)
        return s
    }

    /// Least recently used flow (skipping sentinels), or -1.
    func leastRecentlyUsed() -> Int {
        var e = flows[Int(head)].lruPrev
        while e != head {
            if !isSentinel(e) { return Int(e) }
            e = flows[Int(e)].lruPrev
        }
        return -1
    }

    /// All flows from the back (least recently used) to the front.
    func forEachFromBack(_ body: (Int) -> Void) {
        var e = flows[Int(head)].lruPrev
        while e != head {
            let prev = flows[Int(e)].lruPrev
            if !isSentinel(e) { body(Int(e)) }
            e = prev
        }
    }
}
