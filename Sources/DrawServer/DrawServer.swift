import Datasets
import DigitReading
import Foundation
import Hummingbird
import NeuralNetwork

/// The "draw a digit" web app: one self-contained page and a small JSON API.
///
/// - `GET /`: the page (HTML, CSS and JavaScript inline; it loads nothing else).
/// - `POST /api/predict`: a drawing (PNG or JSON `Drawing`) → `DigitReader.Reading`.
/// - `GET /api/model`: `ModelDescription`.
/// - `GET /report`: the training report, when one was found beside the model.
///
/// Everything that can fail for lack of a file fails in `init`, before the server listens.
public struct DrawServer: Sendable {
    public let reader: DigitReader
    public let modelDescription: ModelDescription
    /// The training report's HTML, read at start-up.
    public let report: String?
    let decoder: DrawingDecoder

    /// 1 MiB: a 280×280 canvas is a few kB as PNG and about 300 kB as JSON.
    public static let defaultBodyLimit = 1 << 20
    /// 2048: a 280-point canvas on a 4× screen is 1120 pixels wide.
    public static let defaultMaximumSide = 2048

    public init(model: TrainedModel, name: String, report: String?,
                bodyLimit: Int = defaultBodyLimit, maximumSide: Int = defaultMaximumSide) throws {
        precondition(bodyLimit > 0 && maximumSide > 0, "limits are positive")
        reader = try DigitReader(model: model)
        modelDescription = ModelDescription(model, name: name, report: report == nil ? nil : "/report")
        self.report = report
        decoder = DrawingDecoder(bodyLimit: bodyLimit, maximumSide: maximumSide)
    }

    /// Where `digits train --out M.safetensors` writes its report: M.html.
    public static func reportPath(forModel path: String) -> String {
        (path.hasSuffix(".safetensors") ? String(path.dropLast(".safetensors".count)) : path) + ".html"
    }

    /// The report beside the model at `path`, or nil if there is none.
    public static func loadReport(besideModel path: String) throws -> String? {
        let reportPath = reportPath(forModel: path)
        guard FileManager.default.fileExists(atPath: reportPath) else { return nil }
        do {
            return try String(contentsOfFile: reportPath, encoding: .utf8)
        } catch {
            throw DrawServerError.unreadableReport("\(reportPath): cannot read the training report: \(error.localizedDescription)")
        }
    }

    /// The routes, behind `JSONErrorMiddleware`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: JSONErrorMiddleware())
        router.get("/") { _, _ in HTTPService.html(Page.html, policy: HTTPService.selfContainedPage) }
        router.get("/api/model") { _, _ in try HTTPService.json(modelDescription) }
        router.post("/api/predict") { request, _ in
            let image = try await decoder.image(from: request)
            do {
                return try HTTPService.json(reader.read(image))
            } catch DatasetError.noInk {
                throw APIError(.unprocessableContent, "the drawing is empty: draw a digit first")
            }
        }
        router.get("/report") { _, _ in
            guard let report else { throw APIError(.notFound, "this model has no training report beside it") }
            return HTTPService.html(report, policy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        }
        return router
    }
}
