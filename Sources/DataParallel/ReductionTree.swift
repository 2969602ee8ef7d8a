import NeuralNetwork

/// A gradient sum over some micro-batches, with the loss and counts that go with it.
public final class GradientSum {
    public var values: [Float]
    public var statistics: BatchStatistics

    public init(count: Int) {
        values = [Float](repeating: 0, count: count)
        statistics = BatchStatistics()
    }

    public init(values: [Float], statistics: BatchStatistics) {
        self.values = values
        self.statistics = statistics
    }

    /// self += other, element by element: the only addition the tree performs.
    func add(_ other: GradientSum) {
        precondition(values.count == other.values.count, "gradient sums of different lengths")
        values.withUnsafeMutableBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += b[i] }
            }
        }
        statistics = statistics + other.statistics
    }
}

/// A node of the reduction tree: the aligned block of shards [first, first + size), where
/// size is a power of two and first a multiple of it.
public struct TreeNode: Hashable, Sendable, Codable {
    public var first: Int
    public var size: Int

    public init(first: Int, size: Int) {
        precondition(size > 0 && size & (size - 1) == 0 && first % size == 0, "not an aligned node: \(first)+\(size)")
        self.first = first
        self.size = size
    }

    public var shards: Range<Int> { first..<(first + size) }
}

/// The fixed pairwise tree over shard indices that combines micro-batch gradients:
/// ((g₀ + g₁) + (g₂ + g₃)) + …, padded to a power of two, with missing leaves (shards past
/// S, or micro-batches that are empty in a partial step) passed through rather than added.
///
/// Floating-point addition is not associative, so the order is the result: every process
/// that reduces a node does it with this one function, and so gets the same bits.
public struct ReductionTree: Sendable {
    public let shardCount: Int
    public let root: TreeNode

    public init(shardCount: Int) {
        precondition(shardCount > 0, "a tree needs at least one shard")
        self.shardCount = shardCount
        var size = 1
        while size < shardCount { size *= 2 }
        root = TreeNode(first: 0, size: size)
    }

    /// The maximal aligned nodes that tile `block`: what a worker owning those shards sends.
    public func nodes(covering block: Range<Int>) -> [TreeNode] {
        var result: [TreeNode] = []
        var first = block.lowerBound
        while first < block.upperBound {
            var size = 1
            while first % (size * 2) == 0 && first + size * 2 <= block.upperBound && size * 2 <= root.size { size *= 2 }
            result.append(TreeNode(first: first, size: size))
            first += size
        }
        return result
    }

    /// Reduces `node`, taking whole nodes from `known` where it has them and leaves from
    /// `leaf` otherwise. Returns nil when every leaf below is missing (a known node that
    /// counts no samples is missing too). The sum is built in
    /// place in the left-most contributing buffer.
    public func reduce(_ node: TreeNode, known: [TreeNode: GradientSum] = [:],
                       leaf: (Int) -> GradientSum?) -> GradientSum? {
        if node.first >= shardCount { return nil }
        if let sum = known[node] { return sum.statistics.count == 0 ? nil : sum }
        if node.size == 1 { return leaf(node.first) }
        let half = node.size / 2
        let left = reduce(TreeNode(first: node.first, size: half), known: known, leaf: leaf)
        let right = reduce(TreeNode(first: node.first + half, size: half), known: known, leaf: leaf)
        guard let left else { return right }
        if let right { left.add(right) }
        return left
    }
}
