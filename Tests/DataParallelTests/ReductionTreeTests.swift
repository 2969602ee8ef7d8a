import NeuralNetwork
import XCTest
@testable import DataParallel

final class ReductionTreeTests: XCTestCase {
    func testNodes_TileTheBlockWithAlignedPowersOfTwo() {
        let tree = ReductionTree(shardCount: 7)
        XCTAssertEqual(tree.root, TreeNode(first: 0, size: 8))
        XCTAssertEqual(tree.nodes(covering: 0..<7), [TreeNode(first: 0, size: 4), TreeNode(first: 4, size: 2), TreeNode(first: 6, size: 1)])
        XCTAssertEqual(tree.nodes(covering: 1..<6), [TreeNode(first: 1, size: 1), TreeNode(first: 2, size: 2), TreeNode(first: 4, size: 2)])
        XCTAssertEqual(tree.nodes(covering: 3..<3), [])
    }

    /// Whatever the blocks workers own, the root sum has the same bits as one process's.
    func testReduce_AnyPartitionIntoBlocks_GivesTheSameBits() {
        var g = SeededGenerator(seed: 9)
        for shardCount in [1, 2, 3, 5, 7, 8, 13] {
            let leaves = (0..<shardCount).map { _ in (0..<17).map { _ in g.nextFloat(limit: 1000) * g.nextUnitFloat() } }
            func leafSum(_ s: Int) -> GradientSum { GradientSum(values: leaves[s], statistics: BatchStatistics(lossSum: Double(s), correct: s, count: 1)) }
            let tree = ReductionTree(shardCount: shardCount)
            let reference = tree.reduce(tree.root) { leafSum($0) }!
            for workers in 1...(shardCount + 2) {
                var known: [TreeNode: GradientSum] = [:]
                for w in 0..<workers {
                    for node in tree.nodes(covering: Plan.block(worker: w, of: workers, shards: shardCount)) {
                        known[node] = tree.reduce(node) { leafSum($0) }
                    }
                }
                let sum = tree.reduce(tree.root, known: known) { _ in XCTFail("leaf asked for"); return nil }!
                XCTAssertBitwiseEqual(sum.values, reference.values, "\(shardCount) shards, \(workers) workers")
                XCTAssertEqual(sum.statistics, reference.statistics)
            }
        }
    }

    func testReduce_FollowsThePairwiseOrder() {
        // With S = 3: (g0 + g1) + g2, not g0 + (g1 + g2). Chosen so that the two differ in Float.
        let values: [Float] = [1e8, -1e8, 1]
        let tree = ReductionTree(shardCount: 3)
        let sum = tree.reduce(tree.root) { GradientSum(values: [values[$0]], statistics: BatchStatistics(count: 1)) }!
        XCTAssertEqual(sum.values[0], (values[0] + values[1]) + values[2])
        XCTAssertNotEqual((values[0] + values[1]) + values[2], values[0] + (values[1] + values[2]))
    }

    func testReduce_MissingLeavesPassThrough() {
        let tree = ReductionTree(shardCount: 4)
        let sum = tree.reduce(tree.root) { s in s == 2 ? nil : GradientSum(values: [Float(s)], statistics: BatchStatistics(count: 1)) }!
        XCTAssertEqual(sum.values, [4])
        XCTAssertEqual(sum.statistics.count, 3)
        XCTAssertNil(tree.reduce(tree.root) { _ in nil })
    }
}
