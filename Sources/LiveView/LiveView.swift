import DataParallel
import DrawServer
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// The live view of a run (`digits launch --dashboard`): follows the coordinator's
/// `LiveFeed` and serves what it last said.
///
/// - `GET /`: the page (HTML, CSS and JavaScript inline; it loads nothing else), which polls:
/// - `GET /api/run`: the newest `RunStatus` as the coordinator published it (503 before the first);
/// - `GET /timeline.svg`: the last step drawn worker by worker (`StepTimeline.chart`; 404 before one);
/// - `GET /metrics`: the same figures in the Prometheus text format (`LiveMetrics`).
public final class LiveView: Sendable {
    private let latest = NIOLockedValueBox<(json: [UInt8], status: RunStatus)?>(nil)
    public let metrics = LiveMetrics()

    public init() {}

    /// Takes a status from the feed.
    public func receive(json: [UInt8], status: RunStatus) {
        latest.withLockedValue { $0 = (json, status) }
        metrics.update(status)
    }

    public var status: RunStatus? { latest.withLockedValue { $0?.status } }

    /// Follows `subscriber` on a thread of its own until `shouldStop` says so.
    public func follow(_ subscriber: LiveFeedSubscriber, shouldStop: @escaping @Sendable () -> Bool,
                       invalid: @escaping @Sendable (String) -> Void) {
        let thread = Thread { [self] in
            while !shouldStop() {
                if let (json, status) = subscriber.next(invalid: invalid) { receive(json: json, status: status) }
            }
        }
        thread.name = "live feed"
        thread.start()
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.get("/") { _, _ in HTTPService.html(LivePage.html, policy: HTTPService.selfContainedPage) }
        router.get("/api/run") { [latest] _, _ in
            guard let json = latest.withLockedValue({ $0?.json }) else {
                throw APIError(.serviceUnavailable, "no status from the coordinator yet: it publishes one as soon as it listens")
            }
            return HTTPService.json(bytes: json)
        }
        router.get("/timeline.svg") { [latest] _, _ in
            guard let step = latest.withLockedValue({ $0?.status.timeline }) else {
                throw APIError(.notFound, "no step drawn yet: the coordinator sends its last step once one has run")
            }
            // Drawn on request, not per status: most statuses are never looked at.
            return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store",
                                                   .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'",
                                                   .xContentTypeOptions: "nosniff"],
                            body: .init(byteBuffer: ByteBuffer(string: step.chart(width: 1060).svg())))
        }
        router.get("/metrics") { [metrics] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        return router
    }
}
