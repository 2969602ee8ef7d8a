import Plots

extension StepTimeline {
    /// The step drawn as a `TimelineChart`: one lane per track (the coordinator first, then the
    /// workers by name, not in the order they joined), its spans and instants, over the step's
    /// own span.
    public func chart(width: Double = 900) -> TimelineChart {
        let tracks = self.tracks.sorted {
            ($0.track == Timeline.coordinatorTrack ? 0 : 1, $0.name, $0.track) < ($1.track == Timeline.coordinatorTrack ? 0 : 1, $1.name, $1.track)
        }
        let lanes = Dictionary(uniqueKeysWithValues: tracks.enumerated().map { ($0.element.track, $0.offset) })
        let spans = ([step] + events).compactMap { event in
            lanes[event.track].map {
                TimelineChart.Span(lane: $0, label: event.name, category: event.category, start: event.start, duration: event.duration)
            }
        }
        let title = "\(step.name): " + String(format: "%.2f ms", 1000 * (step.duration ?? 0))
        return TimelineChart(title: title, lanes: tracks.map(\.name), spans: spans, start: step.start, end: step.end, width: width)
    }
}
