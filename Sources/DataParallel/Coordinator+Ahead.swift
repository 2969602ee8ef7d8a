import Foundation

/// Ordering ahead (the sliced exchange): the next step's orders go once every owner is done
/// with this one, and what its workers send before that step is collected is kept for it.
extension Coordinator {
    /// Keeps a message of the attempt ordered ahead (its workers may answer it before its
    /// step is collected); whether it was one.
    func keptForAhead(_ peer: Peer, _ arrival: Arrival) -> Bool {
        guard let ahead, ahead.assignments[peer] != nil, case .message(let message) = arrival,
              message.run == configuration.runID else { return false }
        // Its own messages, and complaints about the attempt it builds on.
        let complaint = if case .unreachable = message.body { true } else { false }
        guard message.step == ahead.number || (complaint && message.step != 0 && message.step == ahead.basis) else { return false }
        aheadArrivals.append((peer, arrival))
        return true
    }

    /// Orders the step after `input`'s before this step's data is in, when the exchange
    /// allows it (the orders then carry no parameters: the workers compute with what this
    /// step's all-gather leaves them) and the plan has a next step. If this step is redone
    /// after all, the orders ahead are superseded by the redo's.
    func orderAhead(after input: StepInput, number: UInt64, ranks: [Peer]) throws {
        let next = input.position.epoch * plan.stepsPerEpoch + input.position.step + 1
        guard exchange.canOrderAhead, ahead == nil, next < plan.totalSteps else { return }
        exchange.succeeded(number: number, workers: ranks)
        var following = input
        following.position = plan.position(ofStep: next)
        following.learningRateScale = plan.settings.schedule.factor(step: next, of: plan.totalSteps)
        ahead = try send(following)
    }
}
