// The writer-thread pipeline must deliver every record once, whole and in order,
// whatever the record sizes: across batch boundaries, larger than a batch, empty.
import XCTest
@testable import T2Core

final class RecordPipelineTests: XCTestCase {
    func testOrderAndContentAcrossBatches() {
        var seen: [[UInt8]] = []
        let pipeline = RecordPipeline(batchSize: 4096, depth: 2) { record in seen.append(Array(record)) }
        var sent: [[UInt8]] = []
        var rng = SystemRandomNumberGenerator()
        for i in 0..<20_000 {
            // Mostly small records, some empty, some larger than a batch.
            let n = i % 997 == 0 ? 10_000 : (i % 101 == 0 ? 0 : Int(rng.next(upperBound: UInt32(300))))
            let r = (0..<n).map { UInt8(truncatingIfNeeded: $0 &+ i) }
            sent.append(r)
            r.withUnsafeBytes { pipeline.submit($0) }
        }
        pipeline.finish()
        XCTAssertEqual(seen.count, sent.count)
        XCTAssertTrue(seen == sent)
    }

    func testFinishWithNothingSubmitted() {
        var calls = 0
        let pipeline = RecordPipeline { _ in calls += 1 }
        pipeline.finish()
        pipeline.finish()
        XCTAssertEqual(calls, 0)
    }
}
