/// Scratch buffers for forward and backward propagation of up to `capacity` samples.
///
/// One per thread: propagation writes into it. Allocated once and reused for every
/// micro-batch, so a training step allocates nothing.
public final class Workspace {
    public let architecture: Architecture
    public let capacity: Int
    /// Layer l's output a_l, `[capacity, outputs_l]`.
    let activations: [UnsafeMutablePointer<Float>]
    /// The output layer's pre-activations z_L, `[capacity, outputs]`.
    let logits: UnsafeMutablePointer<Float>
    /// Two `[capacity, widest]` buffers for ∂L/∂z, used in turn going down the layers.
    let deltas: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)

    public init(architecture: Architecture, capacity: Int) {
        precondition(capacity > 0, "a workspace needs room for at least one sample")
        self.architecture = architecture
        self.capacity = capacity
        activations = architecture.layers.map { layer in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: capacity * layer.outputs)
            p.initialize(repeating: 0, count: capacity * layer.outputs)
            return p
        }
        logits = .allocate(capacity: capacity * architecture.outputs)
        logits.initialize(repeating: 0, count: capacity * architecture.outputs)
        let widest = architecture.layers.map { max($0.inputs, $0.outputs) }.max()!
        deltas = (.allocate(capacity: capacity * widest), .allocate(capacity: capacity * widest))
        deltas.0.initialize(repeating: 0, count: capacity * widest)
        deltas.1.initialize(repeating: 0, count: capacity * widest)
    }

    deinit {
        activations.forEach { $0.deallocate() }
        logits.deallocate()
        deltas.0.deallocate()
        deltas.1.deallocate()
    }
}

/// What one batch's forward and backward pass measured: sums, so that batches add up.
public struct BatchStatistics: Equatable, Sendable {
    public var lossSum: Double
    public var correct: Int
    public var count: Int

    public init(lossSum: Double = 0, correct: Int = 0, count: Int = 0) {
        self.lossSum = lossSum
        self.correct = correct
        self.count = count
    }

    public static func + (a: BatchStatistics, b: BatchStatistics) -> BatchStatistics {
        BatchStatistics(lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, count: a.count + b.count)
    }

    public var meanLoss: Double { count == 0 ? 0 : lossSum / Double(count) }
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
}

extension Architecture {
    /// Forward propagation of `rows` samples: returns the output ŷ, `[rows, outputs]`, which
    /// lives in `workspace` until its next use.
    ///
    /// Per layer: z = x·Wᵀ + b (`[rows, in]·[in, out]`), a = g(z).
    @discardableResult
    public func forward(parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int,
                        workspace: Workspace) -> UnsafePointer<Float> {
        precondition(workspace.architecture == self, "workspace made for another architecture")
        precondition(rows <= workspace.capacity, "\(rows) rows exceed the workspace's \(workspace.capacity)")
        var x = input
        for (l, layer) in layers.enumerated() {
            let last = l == layers.count - 1
            let z = last ? workspace.logits : workspace.activations[l]
            let bias = parameters + biasOffset(l)
            for r in 0..<rows { (z + r * layer.outputs).update(from: bias, count: layer.outputs) }
            BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: layer.outputs, k: layer.inputs,
                      a: x, lda: layer.inputs, b: parameters + weightOffset(l), ldb: layer.inputs,
                      beta: 1, c: z, ldc: layer.outputs)
            if last { workspace.activations[l].update(from: z, count: rows * layer.outputs) }
            layer.activation.apply(workspace.activations[l], rows: rows, columns: layer.outputs)
            x = UnsafePointer(workspace.activations[l])
        }
        return x
    }

    /// The gradient of the loss **summed** over `rows` samples, written (not added) into
    /// `gradient` in the flat parameter layout; returns the loss sum and correct count.
    ///
    /// Backward, layer l from the top, with δ = ∂L/∂z_l (`[rows, out]`) and x_l its input:
    /// ∂L/∂W_l = δᵀ·x_l (`[out, rows]·[rows, in]`), ∂L/∂b_l = Σ_rows δ,
    /// and for the layer below δ ← (δ·W_l) ⊙ g'(z_{l−1}).
    /// At the output δ = ŷ − y for sigmoid + binary or softmax + categorical cross-entropy.
    @discardableResult
    public func gradientSum(parameters: UnsafePointer<Float>, input: UnsafePointer<Float>,
                            targets: UnsafePointer<Float>, rows: Int, workspace: Workspace,
                            gradient: UnsafeMutablePointer<Float>) -> BatchStatistics {
        if rows == 0 {
            gradient.update(repeating: 0, count: parameterCount)
            return BatchStatistics()
        }
        let output = forward(parameters: parameters, input: input, rows: rows, workspace: workspace)
        let top = layers.count - 1
        var delta = workspace.deltas.0, spare = workspace.deltas.1
        let lossSum = loss.sumAndGradient(logits: workspace.logits, output: output, targets: targets,
                                          rows: rows, columns: outputs, activation: layers[top].activation,
                                          gradient: delta)
        let correct = Architecture.correctCount(output: output, targets: targets, rows: rows, columns: outputs)
        for l in stride(from: top, through: 0, by: -1) {
            let layer = layers[l]
            let x = l == 0 ? input : UnsafePointer(workspace.activations[l - 1])
            BLAS.gemm(transposeA: true, transposeB: false, m: layer.outputs, n: layer.inputs, k: rows,
                      a: delta, lda: layer.outputs, b: x, ldb: layer.inputs,
                      c: gradient + weightOffset(l), ldc: layer.inputs)
            let db = gradient + biasOffset(l)
            db.update(from: delta, count: layer.outputs)
            for r in 1..<rows {
                let row = delta + r * layer.outputs
                for j in 0..<layer.outputs { db[j] += row[j] }
            }
            guard l > 0 else { break }
            BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: layer.inputs, k: layer.outputs,
                      a: delta, lda: layer.outputs, b: parameters + weightOffset(l), ldb: layer.inputs,
                      c: spare, ldc: layer.inputs)
            layers[l - 1].activation.backward(spare, output: workspace.activations[l - 1],
                                              rows: rows, columns: layer.inputs)
            swap(&delta, &spare)
        }
        return BatchStatistics(lossSum: lossSum, correct: correct, count: rows)
    }

    /// Forward propagation and the loss, without the backward pass: what evaluation needs.
    /// Returns the loss sum and correct count of `rows` samples; the output stays in `workspace`.
    @discardableResult
    public func lossSum(parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, targets: UnsafePointer<Float>,
                        rows: Int, workspace: Workspace) -> BatchStatistics {
        guard rows > 0 else { return BatchStatistics() }
        let output = forward(parameters: parameters, input: input, rows: rows, workspace: workspace)
        // ∂L/∂z goes to scratch space: the loss shares its stable code with training.
        let lossSum = loss.sumAndGradient(logits: workspace.logits, output: output, targets: targets, rows: rows,
                                          columns: outputs, activation: layers[layers.count - 1].activation,
                                          gradient: workspace.deltas.0)
        let correct = Architecture.correctCount(output: output, targets: targets, rows: rows, columns: outputs)
        return BatchStatistics(lossSum: lossSum, correct: correct, count: rows)
    }

    /// Samples whose predicted class matches the target's: the arg-max for several outputs,
    /// the 0.5 threshold for one.
    public static func correctCount(output: UnsafePointer<Float>, targets: UnsafePointer<Float>,
                                    rows: Int, columns: Int) -> Int {
        var correct = 0
        for r in 0..<rows {
            let a = output + r * columns, y = targets + r * columns
            if columns == 1 {
                if (a[0] >= 0.5) == (y[0] >= 0.5) { correct += 1 }
            } else if argmax(a, columns) == argmax(y, columns) {
                correct += 1
            }
        }
        return correct
    }

    /// The index of the largest of `count` values (the first, on ties).
    public static func argmax(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
        var best = 0
        for j in 1..<max(count, 1) where values[j] > values[best] { best = j }
        return best
    }
}

extension Network {
    /// The network's output for each row of `x` (`[m, inputs]` → `[m, outputs]`).
    public func predict(_ x: Matrix) -> Matrix {
        precondition(x.columns == architecture.inputs,
                     "the network takes \(architecture.inputs) inputs, got \(x.columns)")
        var result = Matrix(rows: x.rows, columns: architecture.outputs)
        guard x.rows > 0 else { return result }
        let workspace = Workspace(architecture: architecture, capacity: x.rows)
        parameters.withUnsafeBufferPointer { p in
            x.values.withUnsafeBufferPointer { input in
                let out = architecture.forward(parameters: p.baseAddress!, input: input.baseAddress!,
                                               rows: x.rows, workspace: workspace)
                result.values.withUnsafeMutableBufferPointer {
                    $0.baseAddress!.update(from: out, count: x.rows * architecture.outputs)
                }
            }
        }
        return result
    }

    /// The gradient of the loss summed over the rows of `x` against targets `y`, in the flat
    /// parameter layout, with the loss sum and correct count.
    public func gradientSum(x: Matrix, y: Matrix) -> (gradient: [Float], statistics: BatchStatistics) {
        precondition(x.rows == y.rows, "\(x.rows) inputs but \(y.rows) targets")
        precondition(x.columns == architecture.inputs && y.columns == architecture.outputs,
                     "shapes \(x.columns)→\(y.columns) do not match \(architecture.summary)")
        var gradient = [Float](repeating: 0, count: architecture.parameterCount)
        let workspace = Workspace(architecture: architecture, capacity: max(1, x.rows))
        let statistics = parameters.withUnsafeBufferPointer { p in
            x.values.withUnsafeBufferPointer { input in
                y.values.withUnsafeBufferPointer { targets in
                    gradient.withUnsafeMutableBufferPointer { g in
                        architecture.gradientSum(parameters: p.baseAddress!, input: input.baseAddress!,
                                                 targets: targets.baseAddress!, rows: x.rows,
                                                 workspace: workspace, gradient: g.baseAddress!)
                    }
                }
            }
        }
        return (gradient, statistics)
    }

    /// The loss of the network on `x` against `y`, in the course's mean form (sum ÷ m).
    public func meanLoss(x: Matrix, y: Matrix) -> Double {
        gradientSum(x: x, y: y).statistics.meanLoss
    }
}

extension Workspace {
    /// The output ŷ of the last forward pass, `[rows, outputs]`.
    public func output(rows: Int) -> UnsafePointer<Float> {
        UnsafePointer(activations[architecture.layers.count - 1])
    }
}
