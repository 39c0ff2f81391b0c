// Hands finished flow records to a second thread, in order, so that a sink can render
// and write them while the packet thread goes on decoding (docs/performance.md:
// rendering is about a third of the default set's time). Records are copied into
// fixed batches; a small ring of batches bounds the memory, and the packet thread
// waits only when the writer falls `depth` batches behind. The consumer sees every
// record exactly once and in submission order, so the files are byte-identical to a
// single-threaded run.

#if canImport(Glibc)
import Glibc
#endif

public final class RecordPipeline {
    /// Called on the writer thread with one record at a time.
    public typealias Consumer = (UnsafeRawBufferPointer) -> Void

    private let consume: Consumer
    private let batchSize: Int
    private let batches: [UnsafeMutableRawPointer]
    private var fill: [Int]
    // Heap-allocated: pthread objects must not move, and inout on a stored property
    // does not promise a stable address.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Batches handed over and not yet consumed; the producer writes batch
    /// `produced % depth`, the consumer reads `consumed % depth`.
    private var produced = 0
    private var consumed = 0
    private var finished = false
    private var thread: pthread_t?
    private var current: UnsafeMutableRawPointer
    private var used = 0

    public init(batchSize: Int = 1 << 18, depth: Int = 4, consume: @escaping Consumer) {
        self.consume = consume
        self.batchSize = batchSize
        batches = (0..<depth).map { _ in malloc(batchSize)! }
        fill = Array(repeating: 0, count: depth)
        current = batches[0]
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
        let box = Unmanaged.passRetained(self).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(&t, nil, { arg in
            let me = Unmanaged<RecordPipeline>.fromOpaque(arg!).takeRetainedValue()
            me.run()
            return nil
        }, box)
        if rc == 0 { thread = t } else { Unmanaged<RecordPipeline>.fromOpaque(box).release() }
    }

    deinit {
        batches.forEach { free($0) }
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Copies one record into the current batch: a UInt64 length, then the bytes,
    /// padded so that the next record starts 8-byte aligned.
    public func submit(_ record: UnsafeRawBufferPointer) {
        guard thread != nil else { consume(record); return }
        let need = RecordPipeline.stride(record.count)
        if need > batchSize {
            // Larger than a batch: hand over what is pending, then wait until the
            // writer is idle and consume it here, in order.
            handOver()
            drain()
            consume(record)
            return
        }
        if used + need > batchSize { handOver() }
        current.storeBytes(of: UInt64(record.count), toByteOffset: used, as: UInt64.self)
        if record.count > 0 {
            (current + used + 8).copyMemory(from: record.baseAddress!, byteCount: record.count)
        }
        used += need
    }

    /// Hands over the last batch, waits until every record is consumed and stops the
    /// writer thread. The consumer is not called after this returns.
    public func finish() {
        guard let t = thread else { return }
        handOver()
        pthread_mutex_lock(mutex)
        finished = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
        pthread_join(t, nil)
        thread = nil
    }

    /// Waits until the writer has consumed every batch handed over.
    public func drain() {
        pthread_mutex_lock(mutex)
        while consumed < produced { pthread_cond_wait(changed, mutex) }
        pthread_mutex_unlock(mutex)
    }

    private static func stride(_ n: Int) -> Int { 8 + (n + 7) & ~7 }

    private func handOver() {
        guard used > 0 else { return }
        pthread_mutex_lock(mutex)
        fill[produced % batches.count] = used
        produced += 1
        pthread_cond_broadcast(changed)
        // The next batch is free once the writer is less than `depth` behind.
        while produced - consumed >= batches.count { pthread_cond_wait(changed, mutex) }
        pthread_mutex_unlock(mutex)
        current = batches[produced % batches.count]
        used = 0
    }

    private func run() {
        // Signals go to the packet thread: it is the one that must stop reading (and a
        // live capture's blocking read is only interrupted in the thread that gets it).
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)
        while true {
            pthread_mutex_lock(mutex)
            while consumed == produced && !finished { pthread_cond_wait(changed, mutex) }
            if consumed == produced && finished {
                pthread_mutex_unlock(mutex)
                return
            }
            let slot = consumed % batches.count
            let batch = batches[slot], count = fill[slot]
            pthread_mutex_unlock(mutex)

            var off = 0
            while off < count {
                let n = Int(batch.load(fromByteOffset: off, as: UInt64.self))
                consume(UnsafeRawBufferPointer(start: batch + off + 8, count: n))
                off += RecordPipeline.stride(n)
            }

            pthread_mutex_lock(mutex)
            consumed += 1
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }
    }
}
